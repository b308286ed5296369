using System.Collections.Concurrent;

namespace PgChatOps.Hosting;

/// <summary>
/// Work that outlives the HTTP request that started it: a command finished after Slack's or Discord's
/// 3-second acknowledgement, follow-up edits, audit-channel posts. It runs on the host's lifetime (never the
/// request's aborted token: the platform hangs up once it has its answer) with a bound of its own, and on
/// shutdown the host waits (up to its shutdown timeout) for what is in flight.
/// </summary>
public sealed partial class DetachedWork(IHostApplicationLifetime lifetime, ILogger<DetachedWork> log) : IHostedService
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Starts <paramref name="work"/> now, detached from the caller's request.</summary>
    public Task<T> Start<T>(Func<CancellationToken, Task<T>> work)
    {
        var task = Task.Run(async () =>
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            cts.CancelAfter(MaxDuration);
            return await work(cts.Token);
        }, CancellationToken.None);
        Track(task);
        return task;
    }

    /// <summary>Fire and forget, but logged: a failure here must not go unnoticed, nor crash anything.</summary>
    public void Run(string what, Func<CancellationToken, Task> work) => _ = Start<bool>(async ct =>
    {
        try
        {
            await work(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            StoppedEarly(log, what);
        }
        catch (Exception ex)
        {
            Failed(log, ex, what);
        }
        return true;
    });

    private void Track(Task task)
    {
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes when no detached work is running: what runs now has finished, and so has whatever it started
    /// meanwhile (a reply that posts to the audit channel). Work that fails has said so in its own log line.
    /// </summary>
    public async Task WhenIdleAsync(CancellationToken ct)
    {
        while (!_running.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_running.Keys).WaitAsync(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Some work failed; its own log line says so. Keep waiting for the rest.
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken);
        }
        catch (Exception)
        {
            // Shutdown timed out, or some work failed and said so in its own log line.
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Background work stopped before it finished: {What}")]
    private static partial void StoppedEarly(ILogger logger, string what);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Background work failed: {What}")]
    private static partial void Failed(ILogger logger, Exception exception, string what);
}
