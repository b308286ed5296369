namespace PgChatOps.Hosting;

public sealed class MonitoringOptions
{
    /// <summary>statement_timeout for every monitoring query.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a kill, once it has signalled all its sessions at once, waits for them to exit before reporting
    /// the ones still there as still running (one wait for the whole action, not one per session).
    /// </summary>
    public TimeSpan TerminateWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows shown when a command gives no limit=.</summary>
    public int DefaultRows { get; set; } = 20;

    /// <summary>How long an idle pooled connection is kept before the pool closes it (the lifeline is never closed).</summary>
    public TimeSpan PoolIdleLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each lifeline runs its cheap check, so that a dead one is noticed and re-opened.</summary>
    public TimeSpan LifelineCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long /readyz reuses each probe's answer (0: only requests that arrive during a probe share it).</summary>
    public TimeSpan ReadinessCacheFor { get; set; } = TimeSpan.FromSeconds(5);
}
