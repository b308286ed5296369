using Microsoft.Extensions.Hosting;
using PgChatOps.Activity;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>
/// Holds a lifeline to every target and to the state store from start-up, in the background: a lifeline that
/// cannot be had is retried and never delays start-up or a command.
/// </summary>
public sealed class LifelineKeeper(TargetRegistry targets, StateStore store) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lifelines = targets.Lifelines.Concat(store.Lifeline is { } s ? [s] : []);
        return Task.WhenAll(lifelines.Select(l => Task.Run(() => l.RunAsync(stoppingToken), CancellationToken.None)));
    }
}
