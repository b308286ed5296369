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
/// </summary>
public sealed class ReadinessCheck(
    StateStoreMigrator migrator,
    StateStore store,
    TargetRegistry targets,
    TimeProvider? time = null,
    IOptions<PgChatOpsOptions>? options = null,
    IEnumerable<IReadinessReport>? reports = null)
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
        var features = reports?.Select(r => r.Report()).OfType<ReadinessLine>().ToList() ?? [];
        if (ready && features.FirstOrDefault(f => !f.Ready) is { } broken)
        {
            (ready, stateLine) = (false, broken.Text + "\n" + stateLine);
            features.Remove(broken);
        }
        var body = new StringBuilder();
        body.Append(ready ? "ready\n" : "not ready: ").Append(ready ? "" : stateLine + "\n");
        if (ready)
        {
            body.Append(stateLine).Append('\n');
        }
        if (store.Lifeline is { } stateLifeline)
        {
            body.Append(LifelineLine("state store", stateLifeline)).Append('\n');
        }
        foreach (var line in await targetLines)
        {
            body.Append(line).Append('\n');
        }
        foreach (var feature in features)
        {
            body.Append(feature.Text).Append('\n');
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
