using PgChatOps.Activity;

namespace PgChatOps.Snapshots;

/// <summary>
/// Writes every client session of a target, from one read of pg_stat_activity, as CSV to a stream, and says what it
/// wrote. Query text is included only where the target's <c>ShowQueryText</c> allows it.
/// </summary>
public sealed class SessionSnapshot(TargetRegistry targets)
{
    public async Task<SnapshotSummary> WriteAsync(string target, Stream output, CancellationToken ct)
    {
        var (takenAt, sessions) = await SnapshotQuery.ReadAsync(targets, target, ct);
        var rows = SnapshotCsv.Rows(sessions, takenAt);
        await SnapshotCsv.WriteAsync(rows, output, ct);
        return SnapshotSummary.From(targets.Canonical(target), takenAt, rows);
    }
}
