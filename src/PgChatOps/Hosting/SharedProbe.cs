namespace PgChatOps.Hosting;

/// <summary>
/// One probe's answer, shared: callers within <c>cacheFor</c> of the last answer get it again, and callers while a
/// probe runs wait for that probe rather than starting their own. A caller's cancellation never cancels the probe.
/// </summary>
internal sealed class SharedProbe<T>(TimeProvider time, TimeSpan cacheFor)
{
    private readonly Lock _lock = new();
    private Task<T>? _running;
    private (T Value, DateTimeOffset At)? _last;

    public Task<T> GetAsync(Func<Task<T>> probe, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_last is { } last && time.GetUtcNow() - last.At < cacheFor)
            {
                return Task.FromResult(last.Value);
            }
            _running ??= RunAsync(probe);
            return _running.WaitAsync(ct);
        }
    }

    private async Task<T> RunAsync(Func<Task<T>> probe)
    {
        await Task.Yield();
        try
        {
            var value = await probe();
            lock (_lock)
            {
                _last = (value, time.GetUtcNow());
            }
            return value;
        }
        finally
        {
            lock (_lock)
            {
                _running = null;
            }
        }
    }
}
