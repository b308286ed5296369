using PgChatOps.Activity;

namespace PgChatOps.Watch;

/// <summary>
/// What one sample of a target returned: the counts every rule and the history need, and only the candidate sessions
/// (idle in transaction or running beyond the smallest threshold, lock waiters and their blockers).
/// <see cref="SessionInfo.InState"/> is measured by the target's clock: for active sessions, how long the query runs.
/// </summary>
public sealed record TargetSample(
    string Target,
    int Connections,
    int MaxConnections,
    IReadOnlyDictionary<string, int> ByState,
    int Waiting,
    TimeSpan? LongestTransaction,
    TimeSpan? LongestQuery,
    IReadOnlyList<WatchedSession> Candidates,
    bool ShowQueryText);

/// <summary>A candidate session and how old its transaction is, by the target's clock.</summary>
public sealed record WatchedSession(SessionInfo Session, TimeSpan? TransactionAge);

/// <summary>What a target's rules need from its sample: the smallest thresholds, and whether to read lock waits.</summary>
public sealed record SampleNeeds(TimeSpan? IdleInTransaction, TimeSpan? Running, bool Locks)
{
    public static SampleNeeds For(IEnumerable<WatchRule> rules)
    {
        var list = rules.ToList();
        return new SampleNeeds(
            list.Where(r => r.Condition == WatchCondition.IdleInTransaction).Select(r => r.Duration).Min(),
            list.Where(r => r.Condition == WatchCondition.LongRunning).Select(r => r.Duration).Min(),
            list.Any(r => r.Condition == WatchCondition.Blocking));
    }
}
