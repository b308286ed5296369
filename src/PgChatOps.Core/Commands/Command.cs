namespace PgChatOps.Commands;

/// <summary>A parsed, validated command. Everything a handler needs, nothing platform-specific.</summary>
public sealed record Command(Verb Verb)
{
    public string? Target { get; init; }
    public int? Pid { get; init; }
    public SessionFilter Filter { get; init; } = SessionFilter.None;
    public int? Limit { get; init; }
    public SessionSort Sort { get; init; } = SessionSort.Duration;
    public int? Last { get; init; }

    /// <summary><c>history last=1h|6h|24h|7d</c>.</summary>
    public Charts.HistoryWindow? Window { get; init; }

    /// <summary>The audit filters: user=, by=, action=, status=, since=.</summary>
    public AuditFilter Audit { get; init; } = AuditFilter.None;

    /// <summary><c>sessions … csv</c>: attach every matching session as a CSV file.</summary>
    public bool Csv { get; init; }

    /// <summary><c>audit verify</c>: walk the audit log's hash chain instead of listing actions.</summary>
    public bool Verify { get; init; }

    /// <summary>For <c>help &lt;verb&gt;</c>.</summary>
    public Verb? HelpTopic { get; init; }

    /// <summary>The command as the user typed it, normalised to one line, for the audit log.</summary>
    public string Text { get; init; } = "";

    public VerbClass Class => CommandGrammar.ClassOf(Verb);
}

public enum Verb
{
    Help,
    Targets,
    Sessions,
    Summary,
    Blocking,
    Show,
    Cancel,
    Kill,
    Audit,
    Watch,
    History,
    Snapshot,
}

/// <summary>The permission a verb needs: what <c>Access:Rules:*:Allow</c> grants.</summary>
public enum VerbClass
{
    /// <summary>help: always allowed.</summary>
    None,
    View,
    Cancel,
    Terminate,
}

public enum SessionSort
{
    /// <summary>Longest in its current state first.</summary>
    Duration,
    Pid,
    User,
    Db,
    App,
    State,
    Started,
}

/// <summary>PostgreSQL's <c>pg_stat_activity.state</c> values, by their command spelling.</summary>
public enum SessionState
{
    Active,
    Idle,
    IdleInTransaction,
    IdleInTransactionAborted,
    Fastpath,
    Disabled,
}
