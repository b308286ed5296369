using PgChatOps.Commands;

namespace PgChatOps.Watch;

/// <summary>
/// A validated watch rule. Exactly one threshold is set: <see cref="Duration"/> (idle-in-transaction,
/// long-running, blocking by wait time), <see cref="Waiters"/> (blocking by waiter count) or
/// <see cref="Percent"/> (connections).
/// </summary>
public sealed record WatchRule(string Name, string Target, WatchCondition Condition, string Platform, string Channel, TimeSpan Interval)
{
    public TimeSpan? Duration { get; init; }
    public int? Waiters { get; init; }
    public double? Percent { get; init; }

    /// <summary>Which sessions the rule is about; for blocking, the root blocker must match.</summary>
    public SessionFilter Filter { get; init; } = SessionFilter.None;

    /// <summary>The filter as configured, for the <c>/pg watch</c> listing.</summary>
    public string? FilterText { get; init; }

    /// <summary>The threshold as configured (<c>10m</c>, <c>5</c>, <c>90%</c>).</summary>
    public required string ThresholdText { get; init; }

    public bool AppliesTo(string target) => Target == "*" || string.Equals(Target, target, StringComparison.OrdinalIgnoreCase);
}
