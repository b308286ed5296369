namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Discord closes a connection that sends more than 120 events in 60 seconds (PROTOCOLS.md §15.9), heartbeats
/// included. A sliding window per connection: a send that would be the 121st waits for the oldest to age out.
/// </summary>
internal sealed class GatewaySendLimiter(TimeProvider time, int limit = GatewaySendLimiter.MaxSends, TimeSpan? window = null)
{
    public const int MaxSends = 120;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly TimeSpan _window = window ?? Window;
    private readonly Queue<DateTimeOffset> _sent = new();
    private readonly Lock _lock = new();

    /// <summary>Waits until one more send fits in the window, and counts it.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                var now = time.GetUtcNow();
                while (_sent.Count > 0 && now - _sent.Peek() >= _window)
                {
                    _sent.Dequeue();
                }
                if (_sent.Count < limit)
                {
                    _sent.Enqueue(now);
                    return;
                }
                wait = _sent.Peek() + _window - now;
            }
            await Task.Delay(wait, time, ct);
        }
    }
}
