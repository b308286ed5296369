using System.Text.Json.Serialization;
using PgChatOps.Activity;
using PgChatOps.Replies;

namespace PgChatOps.Watch;

/// <summary>
/// One incident as a platform-neutral document: what fired, on which target, the offending sessions, how bad it is,
/// and the suggested fixes. Renderers (Slack, Discord, console) turn it into one message, which
/// <see cref="IAlertSink"/> posts once, updates while the incident lasts and marks resolved when it clears.
/// </summary>
public sealed record Alert
{
    /// <summary>The incident's id: the Snooze button's value (<c>pgchatops.snooze</c>, Discord <c>pgchatops.snooze:&lt;id&gt;</c>).</summary>
    public required Guid Id { get; init; }
    public required string Rule { get; init; }
    public required WatchCondition Condition { get; init; }
    public required string Target { get; init; }

    /// <summary>Where the alert goes (the rule's Platform and Channel).</summary>
    public required string Platform { get; init; }
    public required string Channel { get; init; }
    public AlertStatus Status { get; init; } = AlertStatus.Open;

    /// <summary>One line for people: "2 sessions idle in transaction on prod for up to 12 minutes (threshold 10m)".</summary>
    public required string Title { get; init; }

    /// <summary>The rule's threshold as configured: <c>10m</c>, <c>5</c>, <c>90%</c>.</summary>
    public required string Threshold { get; init; }

    /// <summary>The longest idle time, query time or wait among the offending sessions; for connections, zero.</summary>
    public TimeSpan Longest { get; init; }

    /// <summary>The offending sessions, worst first (at most <see cref="WatchEvaluator.MaxSessionsNamed"/>); for blocking, the root blocker first.</summary>
    public IReadOnlyList<AlertSession> Sessions { get; init; } = [];

    /// <summary>How many sessions are involved in all (for blocking: the root and every session waiting on it).</summary>
    public int SessionCount { get; init; }

    /// <summary>Blocking: how many sessions wait on the root blocker, directly or not.</summary>
    public int? Waiters { get; init; }

    /// <summary>Connections: client connections, max_connections and their ratio in percent.</summary>
    public int? Connections { get; init; }
    public int? MaxConnections { get; init; }
    public double? Percent { get; init; }

    /// <summary>The suggested fixes; see <see cref="AlertFix"/> for how a button becomes an ordinary confirmation.</summary>
    public IReadOnlyList<AlertFix> Fixes { get; init; } = [];

    public required DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>How long the incident lasted, once resolved.</summary>
    public TimeSpan? Lasted => ResolvedAt - OpenedAt;

    public DateTimeOffset? SnoozedUntil { get; init; }
    public string? SnoozedBy { get; init; }

    /// <summary>Set when the incident is the target not answering the watch at all (no sessions, no fixes).</summary>
    public AlertNotAnswering? NotAnswering { get; init; }

    /// <summary>
    /// The fixes as ordinary pending actions (created through <c>ActionService</c>, requested by the watch rule):
    /// their ids are what the alert's confirm and abort buttons carry. Empty when resolved, or when no session shown
    /// could be acted on (ended, protected).
    /// </summary>
    public IReadOnlyList<AlertFixAction> FixActions { get; init; } = [];

    /// <summary>
    /// The sessions the fixes were last prepared for: a fix that could not be offered (protected, gone) is not tried
    /// again every sample, only when the sessions change.
    /// </summary>
    public IReadOnlyList<BackendIdentity> FixesPreparedFor { get; init; } = [];

    /// <summary>Why a fix offered no button (e.g. "pid 4242 … is protected"), for the message's notes.</summary>
    public IReadOnlyList<string> FixNotes { get; init; } = [];

    /// <summary>
    /// The alert as one platform-neutral message: title, the sessions (marked with what each fix would do), and one
    /// confirm button (<c>pgchatops.confirm</c>, value = action id) and one abort button per fix action. Render it
    /// like any other <see cref="Reply"/>, then add <see cref="Snooze"/>. Built from this record, so an alert read
    /// back from the state store renders the same.
    /// </summary>
    [JsonIgnore]
    public Reply Message => AlertMessage.Build(this);

    /// <summary>The Snooze button while the alert is open: Slack <c>action_id</c> <c>pgchatops.snooze</c>, <c>value</c> = alert id; Discord <c>custom_id</c> <c>pgchatops.snooze:&lt;alert id&gt;</c>.</summary>
    [JsonIgnore]
    public AlertSnoozeButton? Snooze => Status == AlertStatus.Open ? new AlertSnoozeButton(Id, "Snooze 1h") : null;
}

/// <summary>The target has not answered a sample since <paramref name="Since"/> (or since this replica began watching it); the latest failure's reason.</summary>
public sealed record AlertNotAnswering(DateTimeOffset Since, string Error);

/// <summary>A fix offered as a pending action: which fix, its action id, until when its buttons work, and the sessions (by identity) it may touch.</summary>
public sealed record AlertFixAction(AlertFixKind Kind, string Label, Guid ActionId, DateTimeOffset ExpiresAt, IReadOnlyList<BackendIdentity> Sessions)
{
    /// <summary>
    /// Every session the fix was prepared for, protected ones included (<see cref="Sessions"/> holds only those it acts
    /// on): what the next sample compares with, so that a protected session does not make fresh buttons every sample.
    /// Null in alerts stored before it existed.
    /// </summary>
    public IReadOnlyList<BackendIdentity>? PreparedFor { get; init; }
}

/// <summary>The snooze button of an open alert (DESIGN.md, Contract – watch).</summary>
public sealed record AlertSnoozeButton(Guid AlertId, string Label)
{
    public const string ActionIdName = "pgchatops.snooze";

    /// <summary>Slack's button <c>value</c>.</summary>
    public string Value => AlertId.ToString();

    public string DiscordCustomId => $"{ActionIdName}:{AlertId}";
}

public enum AlertStatus
{
    Open,
    Resolved,
}

/// <summary>A session named in an alert. <see cref="Query"/> is null when the target hides query text.</summary>
public sealed record AlertSession(
    int Pid,
    DateTime BackendStart,
    string? User,
    string? Database,
    string? Application,
    string? Client,
    string? State,
    TimeSpan InState,
    TimeSpan? TransactionAge,
    string? Query,
    IReadOnlyList<int> BlockedBy)
{
    public BackendIdentity Identity => new(Pid, BackendStart);
}

/// <summary>
/// A suggested fix, shown as a button. THE FIX-BUTTON SEAM: a click on a fix with a <see cref="Command"/> runs that
/// command (e.g. <c>kill 4242 target=prod</c>) through the ordinary pipeline as the clicking user
/// (<c>CommandPipeline.HandleAsync</c> → <c>ActionService.PreviewAsync</c>), so access rules, protection, the
/// confirmation (<c>pgchatops.confirm</c>/<c>pgchatops.abort</c>) and the audit log apply exactly as if typed; the
/// preview shows the sessions by identity and execution acts only on those still matching. <see cref="Sessions"/>
/// is what the alert showed, for the preview to compare. A <see cref="AlertFixKind.Snooze"/> fix has no command:
/// it calls <see cref="WatchEngine.SnoozeAsync"/> with the alert id.
/// </summary>
public sealed record AlertFix(AlertFixKind Kind, string Label, string? Command, IReadOnlyList<BackendIdentity> Sessions);

public enum AlertFixKind
{
    TerminateRootBlocker,
    Terminate,
    Cancel,
    Snooze,
}
