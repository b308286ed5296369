namespace PgChatOps.Commands;

/// <summary>
/// The one definition of the command language. The parser, the help text and the Discord
/// command definitions all follow it.
/// </summary>
public static class CommandGrammar
{
    public const string Prefix = "/pg";

    public static readonly IReadOnlyList<KeySpec> Keys =
    [
        new("user", "=", "role name (usename); * is a wildcard", "user=postgres"),
        new("db", "=", "database name; * is a wildcard", "db=shop"),
        new("app", "=", "application_name; * is a wildcard", "app=metabase*"),
        new("client", "=", "client address or host name; * is a wildcard", "client=10.0.0.*"),
        new("state", "=", "active, idle, idle-in-transaction, idle-in-transaction-aborted, fastpath or disabled", "state=idle-in-transaction"),
        new("wait", "=", "wait event type or event, e.g. Lock or ClientRead; * is a wildcard", "wait=Lock"),
        new("longer", "=", "in its current state for at least this long: 30s, 5m, 2h, 1d", "longer=5m"),
        new("query", "~", "query text contains this (case-insensitive)", "query~\"from orders\""),
        new("target", "=", "which configured cluster (see /pg targets)", "target=prod"),
        new("limit", "=", $"rows to show, 1 to {MaxLimit}", "limit=50"),
        new("sort", "=", "duration (default), pid, user, db, app, state or started", "sort=user"),
        new("pid", "=", "a backend's process id (also accepted bare: /pg show 1234)", "pid=1234"),
        new("last", "=", $"how many audit entries, 1 to {MaxLast}; for history, 1h, 6h, 24h or 7d", "last=20"),
        new("by", "=", "the chat user who asked for or decided an action (id or name); * is a wildcard", "by=alice"),
        new("action", "=", "cancel or terminate", "action=terminate"),
        new("status", "=", "pending, confirmed, executed, failed, aborted, expired or outcome_unknown", "status=executed"),
        new("since", "=", "asked at most this long ago (30m, 2h, 1d), or since a UTC date (2026-11-25, 2026-11-25T13:00)", "since=2h"),
    ];

    /// <summary>An action's statuses, as the state store spells them: what <c>audit status=</c> takes.</summary>
    public static readonly IReadOnlyList<string> AuditStatuses =
        ["pending", "confirmed", "executed", "failed", "aborted", "expired", "outcome_unknown"];

    /// <summary>The bare word after <c>sessions</c> that attaches every matching session as a CSV file.</summary>
    public const string SessionsCsv = "csv";

    /// <summary>The keys that narrow which sessions are meant.</summary>
    public static readonly IReadOnlySet<string> FilterKeys =
        new HashSet<string>(["user", "db", "app", "client", "state", "wait", "longer", "query"], StringComparer.Ordinal);

    public const int MaxLimit = 500;
    public const int MaxLast = 100;

    /// <summary>The word after <c>audit</c> that checks the audit log's hash chain.</summary>
    public const string AuditVerify = "verify";

    public static readonly IReadOnlyList<VerbSpec> Verbs =
    [
        new(Verb.Help, "help", VerbClass.None, "this text; help <verb> for one verb", "help [verb]", PidUse.None, [],
            ["/pg help", "/pg help kill"]),
        new(Verb.Targets, "targets", VerbClass.View, "the clusters this channel may use, and whether each is reachable", "targets", PidUse.None, [],
            ["/pg targets"]),
        new(Verb.Sessions, "sessions", VerbClass.View, "matching sessions: counts first, then the rows; csv attaches them all as a file", "sessions [filters] [limit=N] [sort=KEY] [target=NAME] [csv]", PidUse.None,
            ["user", "db", "app", "client", "state", "wait", "longer", "query", "target", "limit", "sort"],
            ["/pg sessions", "/pg sessions user=app state=idle-in-transaction longer=30s", "/pg sessions app=metabase* sort=user limit=50", "/pg sessions state=idle csv"]),
        new(Verb.Summary, "summary", VerbClass.View, "counts by state, user, database, application and wait; connections; oldest transaction; target=* or a glob: one line per target, worst first", "summary [target=NAME|PATTERN]", PidUse.None,
            ["target"], ["/pg summary", "/pg summary target=prod-*"]),
        new(Verb.Blocking, "blocking", VerbClass.View, "who blocks whom, root blockers first", "blocking [target=NAME]", PidUse.None,
            ["target"], ["/pg blocking"]),
        new(Verb.Snapshot, "snapshot", VerbClass.View, "every client session as a CSV file, with lock waits, for the incident record", "snapshot [target=NAME]", PidUse.None,
            ["target"], ["/pg snapshot", "/pg snapshot target=prod"]),
        new(Verb.Show, "show", VerbClass.View, "one session in full", "show <pid> [target=NAME]", PidUse.Required,
            ["target", "pid"], ["/pg show 12345"]),
        new(Verb.Cancel, "cancel", VerbClass.Cancel, "cancel the running query (pg_cancel_backend), after confirmation", "cancel <pid> | cancel <filters> [target=NAME]", PidUse.OrFilters,
            ["user", "db", "app", "client", "state", "wait", "longer", "query", "target", "pid"],
            ["/pg cancel 12345", "/pg cancel app=reporting longer=10m state=active"]),
        new(Verb.Kill, "kill", VerbClass.Terminate, "terminate the backend (pg_terminate_backend), after confirmation", "kill <pid> | kill <filters> [target=NAME]", PidUse.OrFilters,
            ["user", "db", "app", "client", "state", "wait", "longer", "query", "target", "pid"],
            ["/pg kill 12345", "/pg kill user=reporting state=idle-in-transaction longer=10m"]),
        new(Verb.Audit, "audit", VerbClass.View, "the latest actions: who asked, who confirmed, which sessions, result", "audit [pid=N] [user=ROLE] [by=CHATUSER] [action=cancel|terminate] [status=S] [since=2h|DATE] [target=NAME] [last=N] | audit verify", PidUse.None,
            ["pid", "user", "by", "action", "status", "since", "target", "last"],
            ["/pg audit", "/pg audit pid=18139", "/pg audit by=alice action=terminate since=2h", "/pg audit user=reporting since=2026-11-25", "/pg audit verify"]),
        new(Verb.Watch, "watch", VerbClass.View, "the watch rules, their state and the open incidents", "watch", PidUse.None,
            [], ["/pg watch"]),
        new(Verb.History, "history", VerbClass.View, "a chart of connections by state over time, with incidents marked", "history [target=NAME] [last=1h|6h|24h|7d]", PidUse.None,
            ["target", "last"], ["/pg history", "/pg history last=24h"]),
    ];

    public static VerbSpec Spec(Verb verb) => Verbs.First(v => v.Verb == verb);

    public static VerbSpec? FindVerb(string name) =>
        Verbs.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));

    public static KeySpec? FindKey(string name) =>
        Keys.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));

    public static VerbClass ClassOf(Verb verb) => Spec(verb).Class;

    public static string ClassName(VerbClass c) => c switch
    {
        VerbClass.View => "view",
        VerbClass.Cancel => "cancel",
        VerbClass.Terminate => "terminate",
        _ => "none",
    };

    public static readonly IReadOnlyList<(string Word, SessionState State)> States =
    [
        ("active", SessionState.Active),
        ("idle", SessionState.Idle),
        ("idle-in-transaction", SessionState.IdleInTransaction),
        ("idle-in-transaction-aborted", SessionState.IdleInTransactionAborted),
        ("fastpath", SessionState.Fastpath),
        ("disabled", SessionState.Disabled),
    ];

    public static readonly IReadOnlyList<(string Word, SessionSort Sort)> Sorts =
    [
        ("duration", SessionSort.Duration),
        ("pid", SessionSort.Pid),
        ("user", SessionSort.User),
        ("db", SessionSort.Db),
        ("app", SessionSort.App),
        ("state", SessionSort.State),
        ("started", SessionSort.Started),
    ];
}

public enum PidUse
{
    None,
    Required,

    /// <summary>A pid, or at least one filter, but not both.</summary>
    OrFilters,
}

public sealed record VerbSpec(
    Verb Verb,
    string Name,
    VerbClass Class,
    string Summary,
    string Usage,
    PidUse Pid,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> Examples);

/// <param name="Operator"><c>=</c>, or <c>~</c> for a substring match.</param>
public sealed record KeySpec(string Name, string Operator, string Description, string Example);
