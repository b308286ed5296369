namespace PgChatOps.Activity;

/// <summary>One row of pg_stat_activity, as the bot shows and acts on it.</summary>
public sealed record SessionInfo
{
    public required int Pid { get; init; }
    public required DateTime BackendStart { get; init; }

    /// <summary>False when the bot's role may not see the session's details (backend_start is hidden).</summary>
    public bool IdentityVisible { get; init; } = true;
    public string? User { get; init; }
    public string? Database { get; init; }
    public string? Application { get; init; }
    public string? Client { get; init; }
    public string? State { get; init; }
    public string? WaitEventType { get; init; }
    public string? WaitEvent { get; init; }
    public DateTime? XactStart { get; init; }
    public DateTime? QueryStart { get; init; }
    public DateTime? StateChange { get; init; }

    /// <summary>How long it has been in its current state (for active sessions: how long the query runs).</summary>
    public TimeSpan? InState { get; init; }

    /// <summary>Null when the target hides query text, or the role may not see it.</summary>
    public string? Query { get; init; }
    public string BackendType { get; init; } = "client backend";
    public bool IsSuperuser { get; init; }

    /// <summary>
    /// The backend running the bot's own query, or one of the connections this process holds (its pid and the
    /// per-process application name both match). Never inferred from the name alone.
    /// </summary>
    public bool IsOwnBackend { get; init; }

    /// <summary>Uses the bot's application name (<c>pgchatops</c>, <c>pgchatops-…</c>) but is not one of this bot's connections.</summary>
    public bool ClaimsBotName { get; init; }

    /// <summary>The application name as shown to people: marked when the session impersonates the bot.</summary>
    public string? ApplicationLabel => ClaimsBotName ? $"{Application} (impersonating the bot)" : Application;
    public IReadOnlyList<int> BlockedBy { get; init; } = [];
    public int? LeaderPid { get; init; }

    public BackendIdentity Identity => new(Pid, BackendStart);
}

/// <summary>A session's identity: pids are reused, (pid, backend_start) is not.</summary>
public readonly record struct BackendIdentity(int Pid, DateTime BackendStart);
