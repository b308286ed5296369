namespace PgChatOps.Watch;

/// <summary>The <c>PgChatOps:Watch</c> settings section (DESIGN.md, Contract – watch).</summary>
public sealed class WatchOptions
{
    public const string Section = "PgChatOps:Watch";

    public List<WatchRuleOptions> Rules { get; set; } = [];

    /// <summary>How long the leader's lease lasts without renewal: how soon another replica takes over from a dead one.</summary>
    public TimeSpan LeaseTimeToLive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest one target's sample may take; a target that does not answer in time is reported and skipped.</summary>
    public TimeSpan SampleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many targets are sampled at once, so that hundreds of targets do not open hundreds of connections together.</summary>
    public int MaxParallelTargets { get; set; } = 16;

    /// <summary>How long the per-target history (connections by state, waiters, longest transaction and query) and resolved incidents are kept.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a watched target may go without answering a sample (errors, timeouts, a hung sample) before each
    /// channel its rules post to gets an alert that it is not answering; zero turns that alert off.
    /// </summary>
    public TimeSpan UnreachableAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the Snooze button silences an incident.</summary>
    public TimeSpan SnoozeFor { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>One <c>PgChatOps:Watch:Rules:&lt;i&gt;</c> entry, as written by the operator.</summary>
public sealed class WatchRuleOptions
{
    public string? Name { get; set; }
    public string? Target { get; set; }
    public string? Condition { get; set; }
    public string? Threshold { get; set; }
    public string? Filter { get; set; }
    public string? Platform { get; set; }
    public string? Channel { get; set; }
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
