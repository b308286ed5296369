namespace PgChatOps.Watch;

/// <summary>What <c>/pg watch</c> shows (the verb is wired later): rules and their open incidents, the leader, each target's sampling.</summary>
public sealed record WatchListing(
    string? Leader,
    bool ThisReplicaLeads,
    IReadOnlyList<WatchRuleStatus> Rules,
    IReadOnlyList<Incident> OpenIncidents,
    IReadOnlyList<TargetWatchStatus> Targets);

/// <summary>A rule and its open incidents: firing when there is at least one.</summary>
public sealed record WatchRuleStatus(WatchRule Rule, IReadOnlyList<Incident> Open)
{
    public bool Firing => Open.Count > 0;
}

/// <summary>
/// This replica's view of one target's sampling (meaningful on the leader): when it last finished a sample, how long
/// it took, the last error (<c>did not answer within 10 seconds</c>), and how many turns were skipped because it was still busy.
/// </summary>
public sealed record TargetWatchStatus(
    string Target,
    DateTimeOffset? LastSampleAt,
    TimeSpan? LastDuration,
    string? LastError,
    long Samples,
    long Skipped,
    bool Busy);
