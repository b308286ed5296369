using System.Globalization;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Commands;

namespace PgChatOps.Replies;

/// <summary>Builds the neutral replies for each verb from what the database said.</summary>
public static class Replies
{
    public const int QueryCellLength = 60;

    public static readonly IReadOnlyList<string> SessionColumns = ["pid", "user", "db", "app", "client", "state", "wait", "for", "query"];

    public static IReadOnlyList<string> SessionRow(SessionInfo s) =>
    [
        s.Pid.ToString(CultureInfo.InvariantCulture),
        s.User ?? "",
        s.Database ?? "",
        s.ApplicationLabel ?? "",
        s.Client ?? "",
        StateWord(s.State),
        Wait(s),
        Format.Duration(s.InState),
        Format.Truncate(s.Query, QueryCellLength),
    ];

    public static string StateWord(string? state) => state switch
    {
        null => "",
        "idle in transaction" => "idle-in-tx",
        "idle in transaction (aborted)" => "idle-in-tx-aborted",
        "fastpath function call" => "fastpath",
        _ => state,
    };

    private static string Wait(SessionInfo s) =>
        s.WaitEventType is null ? "" : s.WaitEvent is null ? s.WaitEventType : $"{s.WaitEventType}:{s.WaitEvent}";

    public static Reply Sessions(string target, Command command, SessionPage page, DateTimeOffset now)
    {
        var counts = new List<string>();
        if (page.Active > 0) counts.Add($"{page.Active} active");
        if (page.Idle > 0) counts.Add($"{page.Idle} idle");
        if (page.IdleInTransaction > 0) counts.Add($"{page.IdleInTransaction} idle in transaction");
        if (page.WaitingOnLocks > 0) counts.Add($"{page.WaitingOnLocks} waiting on locks");
        var others = page.Total - page.Active - page.Idle - page.IdleInTransaction;
        if (others > 0) counts.Add($"{others} other");

        var title = page.Total == 0
            ? $"No sessions match on {target}"
            : $"{Format.Count(page.Total, "session")} on {target}" + (counts.Count > 0 ? ": " + string.Join(", ", counts) : "");
        var notes = new List<string>();
        if (page.Total == 0)
        {
            notes.Add(command.Filter.IsEmpty ? "No client sessions besides the bot's own." : $"Nothing matches `{command.Text}`.");
        }
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = title,
            Context = Context(target, now, command.Text),
            Table = page.Total == 0 ? null : new ReplyTable(SessionColumns, page.Rows.Select(SessionRow).ToList(), page.Total)
            {
                MoreHint = page.Rows.Count < CommandGrammar.MaxLimit
                    ? $"add limit={Math.Min(CommandGrammar.MaxLimit, Math.Max(page.Rows.Count * 2, 50))} or narrow the filters"
                    : "narrow the filters",
            },
            Notes = notes,
        };
    }

    public static Reply Summary(string target, ActivitySummary s, DateTimeOffset now)
    {
        var usable = s.MaxConnections - s.ReservedConnections;
        var pct = usable > 0 ? 100.0 * s.Connections / usable : 0;
        var fields = new List<ReplyField>
        {
            new("connections", $"{s.Connections} of {s.MaxConnections} max_connections ({pct:0}% of the {usable} for ordinary roles)"),
            new("by state", Top(s.ByState, StateWord)),
            new("by user", Top(s.ByUser)),
            new("by database", Top(s.ByDatabase)),
            new("by application", Top(s.ByApplication)),
            new("by wait type", Top(s.ByWaitEventType)),
            new("idle in transaction", s.IdleInTransactionAborted > 0
                ? $"{s.IdleInTransaction} (+{s.IdleInTransactionAborted} aborted)"
                : s.IdleInTransaction.ToString(CultureInfo.InvariantCulture)),
            new("oldest transaction", s.OldestTransaction is { } o
                ? $"{Format.Duration(o.Age)}: pid {o.Pid} ({o.User}@{o.Database}, {StateWord(o.State)})"
                : "none open"),
        };
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"Summary of {target}",
            Context = Context(target, now, "summary"),
            Fields = fields,
            Notes = ["Counts are of client sessions, without the bot's own query."],
        };
    }

    private static string Top(IReadOnlyList<(string Key, int Count)> counts, Func<string, string>? name = null)
    {
        if (counts.Count == 0)
        {
            return "none";
        }
        const int shown = 8;
        var parts = counts.Take(shown).Select(c => $"{(name is null ? c.Key : name(c.Key))} {c.Count}").ToList();
        if (counts.Count > shown)
        {
            parts.Add($"{counts.Count - shown} others {counts.Skip(shown).Sum(c => c.Count)}");
        }
        return string.Join(", ", parts);
    }

    public static Reply Blocking(string target, IReadOnlyList<BlockingEntry> entries, DateTimeOffset now)
    {
        if (entries.Count == 0)
        {
            return new Reply
            {
                Kind = ReplyKind.Info,
                Title = $"No lock waits on {target}",
                Context = Context(target, now, "blocking"),
                Notes = ["No session is waiting for a lock held by another."],
            };
        }

        var forest = BlockingForest.Build(entries);
        var rows = forest.Select(n => (IReadOnlyList<string>)
        [
            new string(' ', n.Depth * 2) + (n.Depth > 0 ? "└ " : "") + n.Entry.Session.Pid.ToString(CultureInfo.InvariantCulture),
            n.Entry.Session.User ?? "",
            n.Entry.Session.Database ?? "",
            n.Entry.Session.ApplicationLabel ?? "",
            StateWord(n.Entry.Session.State),
            n.Entry.WaitStart is { } ws ? Format.Duration(now.UtcDateTime - ws) : "",
            n.Depth == 0 ? $"blocks {n.Waiters}" : n.Entry.Session.BlockedBy.Count > 1 ? $"also waits for {string.Join(", ", n.Entry.Session.BlockedBy.Where(p => p != n.ParentPid))}" : "",
            Format.Truncate(n.Entry.Session.Query, QueryCellLength),
        ]).ToList();
        var roots = forest.Count(n => n.Depth == 0);
        var waiting = entries.Count(e => e.Session.BlockedBy.Count > 0);
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"{Format.Count(waiting, "session")} waiting on locks on {target}, behind {Format.Count(roots, "root blocker")}",
            Context = Context(target, now, "blocking"),
            Table = new ReplyTable(["pid", "user", "db", "app", "state", "waiting", "note", "query"], rows, rows.Count) { RowNoun = "rows" },
            Notes = ["Root blockers come first; each waiter is indented under the session it waits for. `/pg show <pid>` for one in full."],
        };
    }

    public static Reply Show(string target, SessionDetail d, ProtectionPolicy protection, DateTimeOffset now, bool showQuery)
    {
        var s = d.Session;
        var fields = new List<ReplyField>
        {
            new("pid", s.Pid.ToString(CultureInfo.InvariantCulture) + (s.LeaderPid is { } l && l != s.Pid ? $" (parallel worker of {l})" : "")),
            new("backend type", s.BackendType),
            new("user", s.User ?? "—"),
            new("database", s.Database ?? "—"),
            new("application", string.IsNullOrEmpty(s.Application) ? "—" : s.ApplicationLabel!),
            new("client", (s.Client ?? "—") + (d.ClientHostname is { } h ? $" ({h})" : "") + (d.ClientPort is > 0 ? $":{d.ClientPort}" : "")),
            new("state", s.State is null ? "—" : $"{s.State} for {Format.Duration(s.InState)}"),
            new("wait", s.WaitEventType is null ? "not waiting" : $"{s.WaitEventType}: {s.WaitEvent}" + (d.WaitStart is { } ws ? $" for {Format.Duration(now.UtcDateTime - ws)}" : "")),
            new("connected", $"{Format.At(s.BackendStart)} ({Format.Duration(now.UtcDateTime - s.BackendStart)} ago)"),
            new("transaction", s.XactStart is { } x ? $"open for {Format.Duration(now.UtcDateTime - x)} (since {Format.At(x)})" : "none"),
            new("query started", s.QueryStart is { } q ? Format.At(q) : "—"),
            new("blocked by", s.BlockedBy.Count == 0 ? "nobody" : string.Join(", ", s.BlockedBy)),
            new("blocking", Format.Count(d.BlockingCount, "session")),
            new("xid / xmin", $"{d.BackendXid ?? "—"} / {d.BackendXmin ?? "—"}"),
        };
        if (d.QueryId is { } qid)
        {
            fields.Add(new("query id", qid.ToString(CultureInfo.InvariantCulture)));
        }
        var reason = protection.ReasonFor(s);
        fields.Add(new("protected", reason ?? "no"));

        string queryNote;
        if (!showQuery)
        {
            queryNote = "Query text is hidden for this target (Targets:<name>:ShowQueryText is false).";
        }
        else if (s.Query is null)
        {
            queryNote = "Query text is not visible to the bot's role (grant it pg_read_all_stats or pg_monitor).";
        }
        else
        {
            queryNote = "query:\n" + s.Query + (d.QueryLength > s.Query.Length ? $"\n… ({d.QueryLength - s.Query.Length:N0} more characters)" : "");
        }
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"Session {s.Pid} on {target}",
            Context = Context(target, now, $"show {s.Pid}"),
            Fields = fields,
            Notes = [queryNote],
        };
    }

    public static Reply Help(Verb? topic)
    {
        if (topic is { } verb)
        {
            var spec = CommandGrammar.Spec(verb);
            var keys = spec.Keys.Select(k => CommandGrammar.FindKey(k)!).ToList();
            return new Reply
            {
                Kind = ReplyKind.Info,
                Visibility = Visibility.Requester,
                Title = $"{CommandGrammar.Prefix} {spec.Usage}",
                Context = spec.Summary + (spec.Class == VerbClass.None ? "" : $" (needs the '{CommandGrammar.ClassName(spec.Class)}' permission)"),
                Fields = keys.Select(k => new ReplyField(k.Name + k.Operator, $"{k.Description}, e.g. {k.Example}")).ToList(),
                Notes = ["Examples: " + string.Join("  ·  ", spec.Examples)],
            };
        }

        return new Reply
        {
            Kind = ReplyKind.Info,
            Visibility = Visibility.Requester,
            Title = $"{CommandGrammar.Prefix}: PostgreSQL sessions from the chat",
            Context = "cancel and kill always ask for a confirmation click first; everything is audited.",
            Fields = CommandGrammar.Verbs.Select(v => new ReplyField($"{CommandGrammar.Prefix} {v.Usage}", v.Summary)).ToList(),
            Notes =
            [
                "Filters: " + string.Join(", ", CommandGrammar.Keys.Where(k => CommandGrammar.FilterKeys.Contains(k.Name)).Select(k => k.Example)),
                "Also: target=NAME, limit=N, sort=duration|pid|user|db|app|state|started. `*` matches any run of characters in names.",
                "A long list: add csv to get every matching session as a file (more than 50 hidden are attached by themselves). `/pg snapshot` files every session.",
                "Audit: pid=N (or `/pg audit 18139`: who acted on it, when, confirmed by whom, with what result), user=ROLE, by=CHATUSER, action=cancel|terminate, status=executed|aborted|expired|…, since=2h or since=2026-11-25, last=N.",
                "Examples: " + string.Join("  ·  ", CommandGrammar.Spec(Verb.Sessions).Examples.Skip(1).Concat(CommandGrammar.Spec(Verb.Kill).Examples)),
            ],
        };
    }

    public static Reply Targets(IReadOnlyList<(string Name, bool IsDefault, string Status)> targets, DateTimeOffset now) => new()
    {
        Kind = ReplyKind.Info,
        Title = targets.Count == 0 ? "No targets available in this channel" : $"{Format.Count(targets.Count, "target")} available here",
        Context = $"as of {Format.At(now)}",
        Table = targets.Count == 0 ? null : new ReplyTable(["target", "status"],
            targets.Select(t => (IReadOnlyList<string>)[t.Name + (t.IsDefault ? " (default)" : ""), t.Status]).ToList(), targets.Count)
        { RowNoun = "targets" },
    };

    public static Reply AuditChain(AuditChainReport report, DateTimeOffset now) => new()
    {
        Kind = report.IsIntact ? ReplyKind.Info : ReplyKind.Error,
        Visibility = Visibility.Channel,
        Title = "Audit chain " + report.Summary,
        Context = $"every row of the audit log checked against the SHA-256 chain, as of {Format.At(now)}",
        Notes = report.IsIntact
            ? ["A row deleted or changed, even by a superuser, breaks the chain from that row on."]
            : ["Someone with rights beyond the bot's changed the audit log. Keep this message; the database's own logs may say who."],
    };

    public static string Context(string target, DateTimeOffset now, string? command) =>
        $"target {target} · {Format.At(now)}" + (command is { Length: > 0 } c ? $" · {Format.Truncate(CommandGrammar.Prefix + " " + c, 120)}" : "");
}
