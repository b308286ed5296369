using System.Collections.Concurrent;

namespace PgChatOps.Discord;

/// <summary>
/// Work that outlives the interaction's HTTP request: the pipeline call behind a deferred response, and the
/// webhook edits and audit-channel posts after it. Runs on the application's lifetime, not the request's;
/// on shutdown, waits (bounded by the host) for what is in flight.
/// </summary>
public sealed class DiscordFollowUps(IHostApplicationLifetime lifetime, ILogger<DiscordFollowUps> log) : IHostedService
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>Starts <paramref name="work"/> now, detached from the caller's request.</summary>
    public Task<T> Start<T>(Func<CancellationToken, Task<T>> work)
    {
        var task = Task.Run(() => work(Stopping), CancellationToken.None);
        Track(task);
        return task;
    }

    /// <summary>Runs <paramref name="work"/> in the background; failures are logged, never thrown.</summary>
    public void Run(string what, Func<CancellationToken, Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work(Stopping);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                log.LogWarning("Discord {What} was cut short by shutdown.", what);
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Discord {What} failed.", what);
            }
        }, CancellationToken.None);
        Track(task);
    }

    private void Track(Task task)
    {
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
}
