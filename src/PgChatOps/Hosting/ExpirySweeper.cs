using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Actions;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>Marks confirmations whose time ran out as expired, with their audit entries, even if nobody clicks.</summary>
public sealed class ExpirySweeper(ActionService actions, StateStoreMigrator migrator, TimeProvider time, ILogger<ExpirySweeper> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await migrator.Ready.WaitAsync(stoppingToken);
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

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            var expired = await actions.ExpireDueAsync(stoppingToken);
            if (expired.Count > 0)
            {
                log.LogInformation("Expired {Count} unconfirmed action(s).", expired.Count);
            }
        }
        catch (StateStoreUnavailableException ex)
        {
            log.LogWarning("Could not expire pending actions: {Error}", ex.Message);
        }
    }
}
