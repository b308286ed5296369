using System.Globalization;
using PgChatOps.Commands;
using PgChatOps.Snapshots;

namespace PgChatOps.Replies;

/// <summary>Replies that carry a sessions CSV: <c>/pg snapshot</c>, and a <c>/pg sessions</c> list too long for the chat.</summary>
public static class SnapshotReplies
{
    /// <summary>
    /// A sessions list that hides more rows than this attaches every matching session as CSV by itself; below it,
    /// the reply says how to ask for the file (<c>csv</c>).
    /// </summary>
    public const int AttachAboveHiddenRows = 50;

    public static Reply Snapshot(string target, Command command, SnapshotFile file, DateTimeOffset now)
    {
        var s = file.Summary;
        var fields = new List<ReplyField>
        {
            new("sessions", $"{s.Sessions} ({s.Active} active, {s.Idle} idle, {s.IdleInTransaction} idle in transaction, {s.Other} other)"
                + (s.Own > 0 ? $"; {s.Own} of them PgChatOps's own connections" : "")),
            new("lock waits", s.WaitingOnLocks == 0
                ? "none"
                : $"{s.WaitingOnLocks} waiting; root blockers: "
                  + (s.RootBlockers.Count == 0
                      ? "none visible"
                      : string.Join(", ", s.RootBlockers.Take(5).Select(b => $"pid {b.Pid} ({b.Waiting} waiting)"))
                        + (s.RootBlockers.Count > 5 ? $" and {s.RootBlockers.Count - 5} more" : ""))),
            new("oldest transaction", s.OldestTransaction is { } o
                ? $"pid {o.Pid}{(o.User is null ? "" : $" ({o.User})")}, open {Format.Duration(o.Age)}"
                : "none open"),
            new("file", $"{s.FileName} ({Size(file.Content.Length)})"),
        };
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"Snapshot of {target}: {Format.Count(s.Sessions, "client session")}",
            Context = Replies.Context(target, now, command.Text),
            Fields = fields,
            Notes =
            [
                $"Every client session at {Format.At(s.TakenAt)}, one row each: all the columns the bot reads, who blocks whom "
                + "(blocked_by, blocking, root_blocker) and since when (lock_wait_start). The file's SHA-256 is in the audit log.",
            ],
            Files = [CsvFile(file, $"Sessions on {target} at {Format.Time(s.TakenAt)}")],
        };
    }

    /// <summary>
    /// A sessions list with every matching session attached (asked for with <c>csv</c>, or more than
    /// <see cref="AttachAboveHiddenRows"/> hidden), or with a line saying how to get them.
    /// </summary>
    public static Reply WithWholeList(Reply list, string target, Command command, SnapshotFile? file, int total, int shown)
    {
        if (file is not null)
        {
            var s = file.Summary;
            return list with
            {
                Notes =
                [
                    .. list.Notes,
                    $"All {Format.Count(s.Sessions, "matching session")} at {Format.At(s.TakenAt)} are in the attached file {s.FileName} ({Size(file.Content.Length)}).",
                ],
                Files = [CsvFile(file, $"{CommandGrammar.Prefix} {command.Text}")],
            };
        }
        if (total > shown)
        {
            var text = Format.Truncate($"{CommandGrammar.Prefix} {command.Text} {CommandGrammar.SessionsCsv}", 200);
            return list with
            {
                Notes = [.. list.Notes, $"To get all {total.ToString("N0", CultureInfo.InvariantCulture)} as a CSV file: `{text}`."],
                WholeList = new WholeListButton(target, command.Text),
            };
        }
        return list;
    }

    private static ReplyFile CsvFile(SnapshotFile file, string title) =>
        new(file.Summary.FileName, ReplyFile.Csv, file.Content, Format.Truncate(title, 200));

    private static string Size(int bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
