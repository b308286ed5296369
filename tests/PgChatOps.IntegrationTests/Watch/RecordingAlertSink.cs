using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>
/// A chat platform as the watch sees it: remembers every message posted, updated and resolved, in order.
/// Shared by several engines, it is the one channel they all post to.
/// </summary>
public sealed class RecordingAlertSink : IAlertSink
{
    private readonly List<SinkCall> _calls = [];

    public sealed record SinkCall(string Kind, string MessageRef, Alert Alert);

    public IReadOnlyList<SinkCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<SinkCall> Opened => [.. Calls.Where(c => c.Kind == "open")];
    public IReadOnlyList<SinkCall> Updated => [.. Calls.Where(c => c.Kind == "update")];
    public IReadOnlyList<SinkCall> Resolved => [.. Calls.Where(c => c.Kind == "resolve")];

    public Task<string> OpenAsync(Alert alert, CancellationToken ct)
    {
        var messageRef = $"msg-{alert.Id:N}";
        Add(new SinkCall("open", messageRef, alert));
        return Task.FromResult(messageRef);
    }

    public Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        Add(new SinkCall("update", messageRef, alert));
        return Task.CompletedTask;
    }

    public Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        Add(new SinkCall("resolve", messageRef, alert));
        return Task.CompletedTask;
    }

    /// <summary>Waits (bounded) until the recorded calls satisfy <paramref name="done"/>; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForAsync(Func<RecordingAlertSink, bool> done, TimeSpan timeout, string what)
    {
        var started = DateTime.UtcNow;
        while (!done(this))
        {
            if (DateTime.UtcNow - started > timeout)
            {
                throw new TimeoutException($"Not within {timeout}: {what}. Calls: {string.Join("; ", Calls.Select(c => $"{c.Kind} {c.Alert.Title}"))}");
            }
            await Task.Delay(20);
        }
        return DateTime.UtcNow - started;
    }

    private void Add(SinkCall call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }
}
