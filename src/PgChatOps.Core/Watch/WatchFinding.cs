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

    /// <summary>Set when the finding is the target not answering at all, rather than something in its sessions.</summary>
    public AlertNotAnswering? NotAnswering { get; init; }

    /// <summary>The cause of a "not answering" incident: one per target and channel, whatever the rules there watch.</summary>
    public const string NotAnsweringCause = "not-answering";

    /// <summary>The target has not answered since <paramref name="since"/>; <paramref name="error"/> says why the latest sample failed.</summary>
    public static WatchFinding NotAnsweringFor(WatchRule rule, string target, string error, DateTimeOffset since) =>
        new(rule, target, NotAnsweringCause, error)
        {
            Title = $"{target} is not answering: {error}",
            NotAnswering = new AlertNotAnswering(since, error),
        };

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
        NotAnswering = NotAnswering,
        OpenedAt = openedAt,
    };
}
