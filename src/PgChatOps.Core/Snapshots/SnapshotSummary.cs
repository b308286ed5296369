using System.Text;
using PgChatOps.Artifacts;

namespace PgChatOps.Snapshots;

/// <summary>
/// What a snapshot file holds, in a few words for the message it is attached to: counts by state, lock waits and
/// their root blockers, the oldest transaction, and the file's name.
/// </summary>
public sealed record SnapshotSummary(
    string Target,
    DateTimeOffset TakenAt,
    int Sessions,
    int Active,
    int Idle,
    int IdleInTransaction,
    int Other,
    int WaitingOnLocks,
    IReadOnlyList<(int Pid, int Waiting)> RootBlockers,
    (int Pid, string? User, TimeSpan Age)? OldestTransaction)
{
    /// <summary>How many of <see cref="Sessions"/> are PgChatOps's own connections (listed, marked is_pgchatops).</summary>
    public int Own { get; init; }

    public string FileName => $"pgchatops-sessions-{ArtifactText.FileSafe(Target)}-{ArtifactText.FileStamp(TakenAt, seconds: true)}.csv";

    public string Text
    {
        get
        {
            var text = new StringBuilder($"Sessions on {Target} at {ArtifactText.UtcSeconds(TakenAt)}: {Sessions} ");
            text.Append($"({Active} active, {Idle} idle, {IdleInTransaction} idle in transaction, {Other} other). ");
            if (WaitingOnLocks == 0)
            {
                text.Append("No lock waits. ");
            }
            else
            {
                var roots = string.Join(", ", RootBlockers.Take(3).Select(b => $"pid {b.Pid} ({b.Waiting} waiting)"));
                var more = RootBlockers.Count > 3 ? $" and {RootBlockers.Count - 3} more" : "";
                text.Append($"{WaitingOnLocks} waiting on locks; root blockers: {(roots.Length == 0 ? "none visible" : roots + more)}. ");
            }
            text.Append(OldestTransaction is { } o
                ? $"Oldest transaction: pid {o.Pid}{(o.User is null ? "" : $" ({o.User})")}, open {ArtifactText.Duration(o.Age)}. "
                : "No open transaction. ");
            return text.Append($"File: {FileName}").ToString();
        }
    }

    internal static SnapshotSummary From(string target, DateTimeOffset takenAt, IReadOnlyList<SnapshotRow> rows)
    {
        var oldest = rows.Where(r => r.XactStart is not null).MinBy(r => r.XactStart);
        return new SnapshotSummary(
            target,
            takenAt,
            rows.Count,
            rows.Count(r => r.State == "active"),
            rows.Count(r => r.State == "idle"),
            rows.Count(r => r.State is "idle in transaction" or "idle in transaction (aborted)"),
            rows.Count(r => r.State is not ("active" or "idle" or "idle in transaction" or "idle in transaction (aborted)")),
            rows.Count(r => r.BlockedBy is not null),
            rows.Where(r => r.RootBlocker == r.Pid && r.Blocking > 0)
                .OrderByDescending(r => r.Blocking).ThenBy(r => r.Pid)
                .Select(r => (r.Pid, r.Blocking)).ToList(),
            oldest is null ? null : (oldest.Pid, oldest.User, takenAt - oldest.XactStart!.Value))
        {
            Own = rows.Count(r => r.IsPgChatOps),
        };
    }
}
