namespace PgChatOps.Watch;

public enum WatchCondition
{
    /// <summary>Sessions idle in a transaction (aborted or not) for at least the threshold.</summary>
    IdleInTransaction,

    /// <summary>Active queries running for at least the threshold.</summary>
    LongRunning,

    /// <summary>A root blocker with at least N waiters, or whose waiters have waited at least the threshold.</summary>
    Blocking,

    /// <summary>Client connections at or above a percentage of max_connections.</summary>
    Connections,
}

public static class WatchConditionNames
{
    public static string Name(this WatchCondition condition) => condition switch
    {
        WatchCondition.IdleInTransaction => "idle-in-transaction",
        WatchCondition.LongRunning => "long-running",
        WatchCondition.Blocking => "blocking",
        WatchCondition.Connections => "connections",
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };

    public static WatchCondition? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "idle-in-transaction" => WatchCondition.IdleInTransaction,
        "long-running" => WatchCondition.LongRunning,
        "blocking" => WatchCondition.Blocking,
        "connections" => WatchCondition.Connections,
        _ => null,
    };
}
