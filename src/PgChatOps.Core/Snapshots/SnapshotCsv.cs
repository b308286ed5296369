using CsvHelper;
using PgChatOps.Activity;

namespace PgChatOps.Snapshots;

/// <summary>Turns a snapshot's sessions into CSV rows (with the lock forest folded in) and writes them.</summary>
internal static class SnapshotCsv
{
    /// <summary>
    /// RFC 4180 with a header; text cells that a spreadsheet would run as a formula get a leading quote (OWASP),
    /// LF added to the usual = + - @ tab CR because some spreadsheets skip a leading line break.
    /// </summary>
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        InjectionCharacters = "=+-@\t\r\n",
        InjectionEscape = '\'',
    };

    public static IReadOnlyList<SnapshotRow> Rows(IReadOnlyList<SnapshotSession> sessions, DateTimeOffset takenAt)
    {
        var byPid = sessions.ToDictionary(s => s.Session.Pid);
        var involved = sessions
            .Where(s => s.Session.BlockedBy.Count > 0)
            .SelectMany(s => s.Session.BlockedBy.Where(byPid.ContainsKey).Append(s.Session.Pid))
            .Distinct()
            .Select(pid => new BlockingEntry(byPid[pid].Session, byPid[pid].WaitStart))
            .ToList();
        var forest = BlockingForest.Build(involved).ToDictionary(n => n.Entry.Session.Pid);

        int? RootOf(int pid)
        {
            if (!forest.TryGetValue(pid, out var node))
            {
                return null;
            }
            var seen = new HashSet<int> { pid };
            while (node.ParentPid is { } parent && seen.Add(parent))
            {
                node = forest[parent];
            }
            return node.Entry.Session.Pid;
        }

        return sessions.Select(x =>
        {
            var s = x.Session;
            return new SnapshotRow
            {
                Pid = s.Pid,
                BackendStart = s.IdentityVisible ? Utc(s.BackendStart) : null,
                User = CsvCell.Clean(s.User),
                Database = CsvCell.Clean(s.Database),
                Application = CsvCell.Clean(s.Application),
                Client = CsvCell.Clean(s.Client),
                ClientHostname = CsvCell.Clean(x.ClientHostname),
                ClientPort = x.ClientPort,
                BackendType = CsvCell.Clean(s.BackendType),
                State = CsvCell.Clean(s.State),
                WaitEventType = CsvCell.Clean(s.WaitEventType),
                WaitEvent = CsvCell.Clean(s.WaitEvent),
                XactStart = Utc(s.XactStart),
                QueryStart = Utc(s.QueryStart),
                StateChange = Utc(s.StateChange),
                InStateSeconds = s.InState is { } d ? Math.Round(d.TotalSeconds, 3) : null,
                TransactionAgeSeconds = s.XactStart is { } x0 ? Math.Round((takenAt - Utc(x0)).TotalSeconds, 3) : null,
                IsSuperuser = s.IsSuperuser,
                IsPgChatOps = s.IsOwnBackend,
                LeaderPid = s.LeaderPid,
                BackendXid = x.BackendXid,
                BackendXmin = x.BackendXmin,
                QueryId = x.QueryId,
                BlockedBy = s.BlockedBy.Count == 0 ? null : string.Join(' ', s.BlockedBy),
                LockWaitStart = Utc(x.WaitStart),
                Blocking = forest.TryGetValue(s.Pid, out var node) ? node.Waiters : 0,
                RootBlocker = RootOf(s.Pid),
                Query = CsvCell.Clean(s.Query),
            };
        }).ToList();
    }

    public static async Task WriteAsync(IEnumerable<SnapshotRow> rows, Stream output, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        await csv.WriteRecordsAsync(rows, ct);
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? at) => at is { } a ? Utc(a) : null;
}
