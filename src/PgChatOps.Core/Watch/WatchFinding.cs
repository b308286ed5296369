namespace PgChatOps.Watch;

/// <summary>
/// A rule firing on a target, for one root cause: <c>sessions</c> for idle-in-transaction and long-running (one
/// incident per rule and target, listing every offending session), the root blocker's identity for blocking, and
/// <c>connections</c> for connections. <see cref="Fingerprint"/> changes only when what a reader sees changes.
/// </summary>
public sealed record WatchFinding(WatchRule Rule, string Target, string Cause, string Fingerprint)
{
    public required string Title { get; init; }
    public TimeSpan Longest { get; init; }
    public IReadOnlyList<AlertSession> Sessions { get; init; } = [];
    public int SessionCount { get; init; }
    public int? Waiters { get; init; }
    public int? Connections { get; init; }
    public int? MaxConnections { get; init; }
    public double? Percent { get; init; }
    public IReadOnlyList<AlertFix> Fixes { get; init; } = [];

    public Alert ToAlert(Guid id, DateTimeOffset openedAt) => new()
    {
        Id = id,
        Rule = Rule.Name,
        Condition = Rule.Condition,
        Target = Target,
        Platform = Rule.Platform,
        Channel = Rule.Channel,
        Title = Title,
        Threshold = Rule.ThresholdText,
        Longest = Longest,
        Sessions = Sessions,
        SessionCount = SessionCount,
        Waiters = Waiters,
        Connections = Connections,
        MaxConnections = MaxConnections,
        Percent = Percent,
        Fixes = Fixes,
        OpenedAt = openedAt,
    };
}
