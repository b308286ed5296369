using System.Diagnostics;
using System.Text;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>
/// <c>/readyz</c>: ready when the state store is migrated and answers now. Each target's reachability is listed
/// in the body but never fails readiness: one unreachable cluster is exactly when on-call needs the bot.
/// </summary>
public sealed class ReadinessCheck(StateStoreMigrator migrator, StateStore store, TargetRegistry targets)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task<(bool Ready, string Body)> CheckAsync(CancellationToken ct)
    {
        var targetLines = Task.WhenAll(targets.Names.Select(name => ProbeTargetAsync(name, ct)));
        var (ready, stateLine) = await ProbeStateStoreAsync(ct);
        var body = new StringBuilder();
        body.Append(ready ? "ready\n" : "not ready: ").Append(ready ? "" : stateLine + "\n");
        if (ready)
        {
            body.Append(stateLine).Append('\n');
        }
        foreach (var line in await targetLines)
        {
            body.Append(line).Append('\n');
        }
        return (ready, body.ToString());
    }

    private async Task<(bool, string)> ProbeStateStoreAsync(CancellationToken ct)
    {
        if (!migrator.IsReady)
        {
            return (false, $"state store {migrator.LastError ?? "not migrated yet"}");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            var version = await store.CurrentVersionAsync(timeout.Token);
            return (true, $"state store: migrated (schema version {version})");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException
                                       or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return (false, $"state store unreachable: {Describe(ex)}");
        }
    }

    private async Task<string> ProbeTargetAsync(string name, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            await using var cmd = targets.Get(name).CreateCommand("SELECT current_setting('server_version')");
            var version = (string?)await cmd.ExecuteScalarAsync(timeout.Token);
            return $"target {name}: reachable, PostgreSQL {version} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)";
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
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
