namespace PgChatOps.Audit;

/// <summary>
/// The <c>event</c> column of <c>pgchatops.audit_log</c>. Rows already written hold these texts, and the hash chain
/// covers them: never rename one.
/// </summary>
public static class AuditEvents
{
    /// <summary>A read command, or the request that opened a confirmation.</summary>
    public const string Request = "request";

    /// <summary>A command that could not be parsed, or named an unknown target.</summary>
    public const string Invalid = "invalid";

    /// <summary>A command the access rules refused, or query text they hid.</summary>
    public const string Denied = "denied";

    /// <summary>A platform delivered the same request or click again; it was not handled twice.</summary>
    public const string Replayed = "replayed";

    /// <summary>A confirmation was posted (the pending action was created).</summary>
    public const string Confirmation = "confirmation";

    /// <summary>A click that changed nothing: unknown action, wrong channel, not allowed, already decided.</summary>
    public const string Refused = "refused";

    public const string Confirmed = "confirmed";
    public const string Aborted = "aborted";
    public const string Expired = "expired";

    /// <summary>One row per session an executed action covered, with the signal's outcome.</summary>
    public const string Executed = "executed";

    public const string Failed = "failed";

    /// <summary>A confirmed action whose replica stopped before recording a result.</summary>
    public const string OutcomeUnknown = "outcome_unknown";

    /// <summary>A <c>/pg snapshot</c>: the file's name, size, row count and SHA-256, or why there is none.</summary>
    public const string Snapshot = "snapshot";

    /// <summary>An alert was snoozed from its snooze button.</summary>
    public const string Snoozed = "snoozed";

    /// <summary>The deployment check's probe write; always rolled back.</summary>
    public const string Check = "check";
}
