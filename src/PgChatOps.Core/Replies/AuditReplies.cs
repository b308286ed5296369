using System.Globalization;
using PgChatOps.Audit;
using PgChatOps.Commands;

namespace PgChatOps.Replies;

/// <summary><c>/pg audit</c>: the actions, one row per session acted on, and for <c>pid=</c> the answer in one line.</summary>
public static class AuditReplies
{
    public static readonly IReadOnlyList<string> Columns =
        ["asked", "action", "target", "asked by", "decided by", "pid", "user", "db", "app", "query start", "result"];

    public static Reply Actions(IReadOnlyList<AuditedAction> actions, Command command, DateTimeOffset now)
    {
        var filtered = command.Pid is not null || !command.Audit.IsEmpty || command.Target is not null;
        var context = $"from the audit log, as of {Format.At(now)}" + (filtered ? $" · {Format.Truncate(CommandGrammar.Prefix + " " + command.Text, 120)}" : "");
        if (actions.Count == 0)
        {
            return new Reply
            {
                Kind = ReplyKind.Info,
                Title = command.Pid is { } none
                    ? $"No action touched pid {none} on the targets you may view here"
                    : filtered ? "No actions match on the targets you may view here" : "No actions recorded on the targets you may view here",
                Context = context,
                Notes = filtered ? ["Only cancel and kill actions are listed; `/pg audit` alone shows the latest ones."] : [],
            };
        }

        var rows = actions.SelectMany(a => a.Sessions.Select(s => Row(a, s))).ToList();
        var notes = new List<string>();
        var narrowed = actions.Where(a => a.Sessions.Count < a.SessionCount).ToList();
        if (narrowed.Count > 0)
        {
            notes.Add($"Only the sessions that match are shown; {Format.Count(narrowed.Count, "action")} also hit others (`/pg audit` without pid= or user= lists them all).");
        }

        string title;
        if (command.Pid is { } pid)
        {
            var latest = actions[0];
            title = Story(latest, latest.Sessions.First(s => s.Pid == pid));
            if (actions.Count > 1)
            {
                context = $"{Format.Count(actions.Count, "action")} touched pid {pid}, newest first · " + context;
            }
        }
        else
        {
            title = filtered
                ? $"{Format.Count(actions.Count, "action")} {(actions.Count == 1 ? "matches" : "match")}"
                : $"Latest {Format.Count(actions.Count, "action")}";
        }
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = title,
            Context = context,
            Table = new ReplyTable(Columns, rows, rows.Count) { RowNoun = "sessions" },
            Notes = notes,
        };
    }

    /// <summary>
    /// Who acted on the session, when, who confirmed, with what result, in one line:
    /// "pid 18139 (app@shop) on prod: terminate asked by bob, confirmed by alice at 2026-11-25 13:20:07 UTC, result terminated".
    /// </summary>
    public static string Story(AuditedAction a, AuditedSession s)
    {
        var who = s.User is null ? "" : s.Database is null ? $" ({s.User})" : $" ({s.User}@{s.Database})";
        var asked = $"pid {s.Pid.ToString(CultureInfo.InvariantCulture)}{who} on {a.Target}: {a.Kind} asked by {a.RequestedBy}";
        var decided = a.DecidedAt is { } d ? Format.At(d) : "?";
        return a.Status switch
        {
            "executed" => $"{asked}, confirmed by {a.DecidedBy} at {decided}, result {s.Result ?? "not recorded"}",
            "failed" => $"{asked}, confirmed by {a.DecidedBy} at {decided}, failed before a result",
            "outcome_unknown" => $"{asked}, confirmed by {a.DecidedBy} at {decided}, result unknown (the replica running it stopped)",
            "confirmed" => $"{asked}, confirmed by {a.DecidedBy} at {decided}, result not recorded yet",
            "aborted" => $"{asked} at {Format.At(a.At)}, aborted by {a.DecidedBy}: nothing done",
            "expired" => $"{asked} at {Format.At(a.At)}, never confirmed (expired): nothing done",
            _ => $"{asked} at {Format.At(a.At)}, waiting for confirmation",
        };
    }

    /// <summary>The time of day alone when the query began the day the action was asked (the usual case), else the full time.</summary>
    private static string QueryStart(DateTime asked, DateTime? queryStart) => queryStart switch
    {
        null => "",
        { } q when q.Date == asked.Date => q.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        { } q => Format.Time(q),
    };

    private static IReadOnlyList<string> Row(AuditedAction a, AuditedSession s) =>
    [
        Format.Time(a.At),
        a.Kind,
        a.Target,
        a.RequestedBy,
        a.DecidedBy ?? "",
        s.Pid.ToString(CultureInfo.InvariantCulture),
        s.User ?? "",
        s.Database ?? "",
        s.Application ?? "",
        QueryStart(a.At, s.QueryStart),
        a.Status == "executed" ? s.Result ?? "not recorded" : a.Status,
    ];
}
