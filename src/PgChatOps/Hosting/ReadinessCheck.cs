using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>
/// <c>/readyz</c>: ready when the state store is migrated and answers. Each target's reachability and lifeline are
/// listed in the body but never fail readiness: one unreachable cluster is exactly when on-call needs the bot.
/// Every probe's answer is shared for <c>Monitoring:ReadinessCacheFor</c> and at most one probe per dependency runs
/// at a time, so a flood of <c>/readyz</c> requests costs the databases one connection each, never the pool.
/// An outbound link in use (<c>Slack:Mode=socket</c>) must be up too: a replica that cannot hear Slack is not ready.
/// </summary>
public sealed class ReadinessCheck(
    StateStoreMigrator migrator, StateStore store, TargetRegistry targets, TimeProvider? time = null, IOptions<PgChatOpsOptions>? options = null,
    IEnumerable<IOutboundLink>? links = null)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _cacheFor = options?.Value.Monitoring.ReadinessCacheFor ?? new MonitoringOptions().ReadinessCacheFor;
    private readonly Dictionary<string, SharedProbe<string>> _targetProbes = new(StringComparer.OrdinalIgnoreCase);
    private readonly SharedProbe<(bool, string)> _stateProbe =
        new(time ?? TimeProvider.System, options?.Value.Monitoring.ReadinessCacheFor ?? new MonitoringOptions().ReadinessCacheFor);

    public async Task<(bool Ready, string Body)> CheckAsync(CancellationToken ct)
    {
        var targetLines = Task.WhenAll(targets.Names.Select(name => TargetProbe(name).GetAsync(() => ProbeTargetAsync(name), ct)));
        var (ready, stateLine) = migrator.IsReady
            ? await _stateProbe.GetAsync(ProbeStateStoreAsync, ct)
            : (false, $"state store {migrator.LastError ?? "not migrated yet"}");
        var linkStates = (links ?? []).Select(l => l.Status).OfType<OutboundLinkStatus>().ToList();
        var stateReady = ready;
        ready = stateReady && linkStates.All(l => l.IsUp);
        var body = new StringBuilder();
        if (ready)
        {
            body.Append("ready\n").Append(stateLine).Append('\n');
        }
        else
        {
            var reasons = new List<string>();
            if (!stateReady)
            {
                reasons.Add(stateLine);
            }
            reasons.AddRange(linkStates.Where(l => !l.IsUp).Select(l => l.Line));
            body.Append("not ready: ").Append(string.Join("; ", reasons)).Append('\n');
            if (stateReady)
            {
                body.Append(stateLine).Append('\n');
            }
        }
        foreach (var link in linkStates.Where(l => l.IsUp))
        {
            body.Append(link.Line).Append('\n');
        }
        if (store.Lifeline is { } stateLifeline)
        {
            body.Append(LifelineLine("state store", stateLifeline)).Append('\n');
        }
        foreach (var line in await targetLines)
        {
            body.Append(line).Append('\n');
        }
        foreach (var name in targets.Names)
        {
            body.Append(LifelineLine($"target {name}", targets.Lifeline(name))).Append('\n');
        }
        return (ready, body.ToString());
    }

    private static string LifelineLine(string what, Lifeline lifeline) => lifeline.IsHeld
        ? $"{what}: lifeline held"
        : $"{what}: lifeline not held, retrying in the background{(lifeline.LastError is { } e ? $": {e}" : "")}";

    private SharedProbe<string> TargetProbe(string name)
    {
        lock (_targetProbes)
        {
            if (!_targetProbes.TryGetValue(name, out var probe))
            {
                _targetProbes[name] = probe = new SharedProbe<string>(_time, _cacheFor);
            }
            return probe;
        }
    }

    private async Task<(bool, string)> ProbeStateStoreAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            var version = await store.CurrentVersionAsync(timeout.Token);
            return (true, $"state store: migrated (schema version {version})");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException or OperationCanceledException)
        {
            return (false, $"state store unreachable: {Describe(ex)}");
        }
    }

    private async Task<string> ProbeTargetAsync(string name)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            await using var cmd = await targets.CommandAsync(name, "SELECT current_setting('server_version')", timeout.Token);
            var version = (string?)await cmd.ExecuteScalarAsync(timeout.Token);
            return $"target {name}: reachable, PostgreSQL {version} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)";
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            return $"target {name}: unreachable: {Describe(ex)}";
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        OperationCanceledException => $"the server did not answer within {ProbeTimeout.TotalSeconds:0} seconds [{PostgresErrorCodes.ConnectionFailure}]",
        StateStoreUnavailableException => ex.Message,
        _ => DatabaseErrors.Cause(ex),
    };
}
