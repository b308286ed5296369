using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Actions;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>
/// Marks confirmations whose time ran out as expired, with their audit entries, even if nobody clicks, then
/// tells the platforms (<see cref="IActionExpiryListener"/>) so the stale buttons are replaced. At start-up it first
/// ends actions left 'confirmed' by a replica that stopped mid-execution as 'outcome unknown', and tells the platforms.
/// </summary>
public sealed class ExpirySweeper(
    ActionService actions,
    StateStoreMigrator migrator,
    IEnumerable<IActionExpiryListener> listeners,
    IOptions<PgChatOpsOptions> options,
    TimeProvider time,
    ILogger<ExpirySweeper> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<IActionExpiryListener> _listeners = [.. listeners];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await migrator.Ready.WaitAsync(stoppingToken);
            await EndStuckActionsAsync(stoppingToken);
            using var timer = new PeriodicTimer(Interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task EndStuckActionsAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<PendingAction> stuck;
        try
        {
            stuck = await actions.EndStuckActionsAsync(stoppingToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            ActionLog.StuckLookupFailed(log, ex.Message);
            return;
        }
        foreach (var action in stuck)
        {
            ActionLog.OutcomeUnknown(log, action.Id, action.Kind.Name(), action.Target);
            var reply = ActionReplies.OutcomeUnknown(action);
            foreach (var listener in _listeners)
            {
                try
                {
                    await listener.OnOutcomeUnknownAsync(action, reply, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    ActionLog.OutcomeUnknownNotShown(log, ex, action.Id, listener.GetType().Name);
                }
            }
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<PendingAction> expired;
        try
        {
            expired = await actions.ExpireDueAsync(stoppingToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            ActionLog.ExpiryFailed(log, ex.Message);
            return;
        }
        if (expired.Count == 0)
        {
            return;
        }
        ActionLog.Expired(log, expired.Count);
        var ttl = options.Value.Confirmation.TimeToLive;
        foreach (var action in expired)
        {
            var reply = ActionReplies.Expired(action, ttl);
            foreach (var listener in _listeners)
            {
                try
                {
                    await listener.OnExpiredAsync(action, reply, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The expiry is committed and audited; a platform that cannot show it must not stop the next sweep.
                    ActionLog.ExpiryNotShown(log, ex, action.Id, listener.GetType().Name);
                }
            }
        }
    }
}
