using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PgChatOps.Slack;

/// <summary>
/// Work that outlives Slack's 3-second acknowledgement. It runs on the host's stopping token (never the
/// request's aborted token: Slack hangs up once it has its 200) plus a bound of its own.
/// </summary>
public sealed class SlackBackground(IHostApplicationLifetime lifetime, ILogger<SlackBackground> log)
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    public Task<T> Run<T>(Func<CancellationToken, Task<T>> work) => Task.Run(async () =>
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        cts.CancelAfter(MaxDuration);
        return await work(cts.Token);
    });

    /// <summary>Fire and forget, but logged: a failure here must not go unnoticed, nor crash anything.</summary>
    public void Run(string what, Func<CancellationToken, Task> work) => _ = Run<bool>(async ct =>
    {
        try
        {
            await work(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            log.LogWarning("Slack background work stopped before it finished: {What}", what);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Slack background work failed: {What}", what);
        }
        return true;
    });
}
