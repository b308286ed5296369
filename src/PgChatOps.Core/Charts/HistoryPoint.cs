namespace PgChatOps.Charts;

/// <summary>
/// One sample of a target's activity, as a history store records it. Counts are client backends at
/// <see cref="At"/>; durations are null when no session had a transaction or query running.
/// </summary>
public sealed record HistoryPoint(
    DateTimeOffset At,
    int Active,
    int Idle,
    int IdleInTransaction,
    int Other,
    int Waiting,
    TimeSpan? LongestTransaction,
    TimeSpan? LongestQuery)
{
    public int Connections => Active + Idle + IdleInTransaction + Other;
}
