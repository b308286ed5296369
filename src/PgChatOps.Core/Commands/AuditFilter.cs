namespace PgChatOps.Commands;

/// <summary>
/// Which actions <c>/pg audit</c> lists, besides the pid (<see cref="Command.Pid"/>), the target and last=. Names may
/// hold <c>*</c> globs and match case-insensitively. Applied in SQL, with parameters.
/// </summary>
public sealed record AuditFilter
{
    public static readonly AuditFilter None = new();

    /// <summary>user=: the database role of a session acted on.</summary>
    public string? User { get; init; }

    /// <summary>by=: the chat user (id or display name) who asked for the action or decided it.</summary>
    public string? By { get; init; }

    /// <summary>action=: <see cref="VerbClass.Cancel"/> or <see cref="VerbClass.Terminate"/>.</summary>
    public VerbClass? Kind { get; init; }

    /// <summary>status=: the action's status as the state store spells it (<c>executed</c>, <c>outcome_unknown</c>…).</summary>
    public string? Status { get; init; }

    /// <summary>since=2h: asked at most this long ago.</summary>
    public TimeSpan? SinceAgo { get; init; }

    /// <summary>since=2026-11-25: asked at or after this moment (a date alone is midnight UTC).</summary>
    public DateTimeOffset? SinceDate { get; init; }

    public bool IsEmpty => this == None;
}
