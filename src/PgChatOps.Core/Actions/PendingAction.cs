using PgChatOps.Commands;

namespace PgChatOps.Actions;

/// <summary>A cancel or terminate waiting for (or past) its confirmation, bound to its channel, target and sessions.</summary>
public sealed record PendingAction
{
    /// <summary>
    /// The workspace of an action the bot asked for itself (an alert's fix): a watch rule names a platform and channel,
    /// not a workspace, so the click is bound to that platform and channel id (unique across Slack workspaces and
    /// Discord guilds) and the clicker's access rules decide the rest.
    /// </summary>
    public const string AnyWorkspace = "*";


    public required Guid Id { get; init; }
    public required ActionKind Kind { get; init; }
    public ActionStatus Status { get; init; } = ActionStatus.Pending;
    public required Platform Platform { get; init; }
    public required string Workspace { get; init; }
    public required string Channel { get; init; }
    public string? Thread { get; init; }
    public required string Target { get; init; }
    public required string Command { get; init; }
    public required string RequestedBy { get; init; }
    public required string RequestedByName { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? DecidedBy { get; init; }
    public string? DecidedByName { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Every session the preview listed, protected ones included (with their reason).</summary>
    public required IReadOnlyList<PlannedSession> Sessions { get; init; }

    /// <summary>Per-session results, once executed.</summary>
    public IReadOnlyList<SessionOutcome>? Result { get; init; }

    public IEnumerable<PlannedSession> Actionable => Sessions.Where(s => s.ProtectedReason is null);
}

/// <summary>
/// A session as the preview showed it. Execution matches on (Pid, BackendStart); a cancel also needs the same
/// <paramref name="QueryStart"/> (the query the preview showed), still active.
/// </summary>
public sealed record PlannedSession(
    int Pid,
    DateTime BackendStart,
    string? User,
    string? Database,
    string? Application,
    string? State,
    string? Query,
    string? ProtectedReason,
    DateTime? QueryStart = null);

/// <summary>
/// What happened to one session when the action ran, and what the session was doing at that moment
/// (<paramref name="NowState"/>, <paramref name="NowQueryStart"/>, <paramref name="NowQuery"/>; query text only where the target shows it).
/// </summary>
public sealed record SessionOutcome(
    int Pid,
    DateTime BackendStart,
    string Outcome,
    string? User,
    string? NowState = null,
    DateTime? NowQueryStart = null,
    string? NowQuery = null)
{
    public bool Succeeded => Outcome is Outcomes.Terminated or Outcomes.Cancelled;
}

public static class Outcomes
{
    public const string Terminated = "terminated";
    public const string Cancelled = "cancelled";

    /// <summary>Signalled to terminate, but the backend was still there when the terminate wait ran out.</summary>
    public const string StillRunning = "still_running";

    /// <summary>pg_cancel_backend or pg_terminate_backend returned false: the pid was no longer a backend, nothing was sent.</summary>
    public const string NotSignalled = "not_signalled";

    /// <summary>No backend has that pid any more.</summary>
    public const string Gone = "gone";

    /// <summary>The pid now belongs to another session (different backend_start).</summary>
    public const string Reused = "reused";
    public const string Protected = "protected";

    /// <summary>The bot's role cannot see the backend's start time, so its identity cannot be checked.</summary>
    public const string Unverified = "unverified";
    public const string NoPrivilege = "no_privilege";

    /// <summary>
    /// The session is no longer what the preview showed: a cancel's query ended or another began, or a filtered
    /// action's session no longer matches the filter. Not touched.
    /// </summary>
    public const string Changed = "changed";

    /// <summary>A cancel of a session that was not running a query in the preview and still is not: nothing to cancel.</summary>
    public const string NoQuery = "no_query";
}

public enum ActionKind
{
    Cancel,
    Terminate,
}

public enum ActionStatus
{
    Pending,
    Confirmed,
    Executed,
    Failed,
    Aborted,
    Expired,

    /// <summary>Confirmed, but no result was ever recorded (the replica stopped mid-execution): sessions may or may not have been signalled.</summary>
    OutcomeUnknown,
}

public static class ActionNames
{
    public static string Name(this ActionKind kind) => kind == ActionKind.Cancel ? "cancel" : "terminate";

    public static string Name(this ActionStatus status) => status == ActionStatus.OutcomeUnknown ? "outcome_unknown" : status.ToString().ToLowerInvariant();

    public static ActionKind ParseKind(string text) => text == "cancel" ? ActionKind.Cancel : ActionKind.Terminate;

    public static ActionStatus ParseStatus(string text) => Enum.Parse<ActionStatus>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    public static VerbClass Class(this ActionKind kind) => kind == ActionKind.Cancel ? VerbClass.Cancel : VerbClass.Terminate;
}
