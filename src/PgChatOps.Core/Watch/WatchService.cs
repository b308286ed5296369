using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Hosting;

namespace PgChatOps.Watch;

/// <summary>Runs the watch loop when <c>PgChatOps:Watch:Rules</c> exist: a tick every <see cref="WatchEngine.TickInterval"/>.</summary>
public sealed class WatchService(WatchEngine engine, StateStoreMigrator migrator, TimeProvider time, ILogger<WatchService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (engine.Rules.Count == 0)
        {
            log.NoRules();
            return;
        }
        await migrator.Ready.WaitAsync(stoppingToken);
        log.Started(engine.Rules.Count, engine.Rules.Select(r => r.Target).Distinct(StringComparer.OrdinalIgnoreCase).Count(), engine.Holder);
        using var timer = new PeriodicTimer(engine.TickInterval, time);
        do
        {
            await engine.TickAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (engine.Rules.Count > 0)
        {
            try
            {
                await engine.StopAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
            {
                // The lease then simply expires: another replica takes over after LeaseTimeToLive.
                log.LeaseFailed(ex.Message);
            }
        }
    }
}
