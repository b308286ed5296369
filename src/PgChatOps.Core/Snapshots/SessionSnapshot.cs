using PgChatOps.Activity;
using PgChatOps.Commands;

namespace PgChatOps.Snapshots;

/// <summary>
/// Writes every client session of a target, from one read of pg_stat_activity, as CSV to a stream, and says what it
/// wrote. Query text is included only where the target's <c>ShowQueryText</c> allows it.
/// </summary>
public sealed class SessionSnapshot(TargetRegistry targets)
{
    public async Task<SnapshotSummary> WriteAsync(string target, Stream output, CancellationToken ct) =>
        await WriteAsync(target, null, output, ct);

    /// <summary>The file in memory, for a chat reply to attach: every client session, or those <paramref name="filter"/> matches.</summary>
    public async Task<SnapshotFile> TakeAsync(string target, SessionFilter? filter, CancellationToken ct)
    {
        using var stream = new MemoryStream();
        var summary = await WriteAsync(target, filter, stream, ct);
        return new SnapshotFile(summary, stream.ToArray());
    }

    private async Task<SnapshotSummary> WriteAsync(string target, SessionFilter? filter, Stream output, CancellationToken ct)
    {
        var (takenAt, sessions) = await SnapshotQuery.ReadAsync(targets, target, filter, ct);
        var rows = SnapshotCsv.Rows(sessions, takenAt);
        await SnapshotCsv.WriteAsync(rows, output, ct);
        return SnapshotSummary.From(targets.Canonical(target), takenAt, rows);
    }
}
