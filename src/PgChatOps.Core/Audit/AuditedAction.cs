namespace PgChatOps.Audit;

/// <summary>An action as the audit log tells it: who asked, who decided, which sessions, what happened to each.</summary>
/// <param name="SessionCount">Every session the action listed; <paramref name="Sessions"/> holds those the filter matched.</param>
/// <param name="Outcomes">Per-session results over the whole action, counted by outcome (empty until it ran).</param>
public sealed record AuditedAction(
    Guid ActionId,
    DateTime At,
    string Kind,
    string Status,
    string Target,
    string Platform,
    string Channel,
    string RequestedBy,
    string? DecidedBy,
    int SessionCount,
    IReadOnlyDictionary<string, int> Outcomes)
{
    public string RequestedById { get; init; } = "";
    public string? DecidedById { get; init; }
    public DateTime? DecidedAt { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public IReadOnlyList<AuditedSession> Sessions { get; init; } = [];
}

/// <summary>One session of an audited action, as its preview showed it, with what the action did to it.</summary>
/// <param name="Result">The per-session outcome (<c>terminated</c>, <c>gone</c>, <c>protected</c>…); null until the action ran.</param>
public sealed record AuditedSession(
    int Pid,
    DateTime BackendStart,
    string? User,
    string? Database,
    string? Application,
    DateTime? QueryStart,
    string? Result,
    string? ProtectedReason);
