using System.Text.Json;
using System.Threading.Channels;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Hands interactions to the handler off the receive loop: a bounded queue and a fixed number of workers, so a
/// slow handler never delays heartbeats or the next dispatch. When the queue is full an interaction is dropped
/// and logged (Discord would have expired it after 3 seconds anyway). Time counts from arrival: a handler must answer
/// within <see cref="RespondWithin"/> of it, and one that waited in the queue for <see cref="Expired"/> is dropped
/// unhandled (its token no longer answers, and the user has already seen "This interaction failed" and may retry).
/// </summary>
internal sealed class GatewayInteractionDispatcher : IAsyncDisposable
{
    private readonly IDiscordInteractionHandler _handler;
    private readonly DiscordGatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<(JsonElement Interaction, long ArrivedAt)> _queue;

    /// <summary>How long after arrival the answer (or the deferral) must be ready to send: the HTTP path's inline window.</summary>
    internal static readonly TimeSpan RespondWithin = TimeSpan.FromSeconds(2);

    /// <summary>Discord's deadline for the first response.</summary>
    internal static readonly TimeSpan Expired = TimeSpan.FromSeconds(3);
    private readonly CancellationTokenSource _abort = new();
    private readonly Task[] _workers;

    public GatewayInteractionDispatcher(IDiscordInteractionHandler handler, DiscordGatewayOptions options, TimeProvider time, ILogger log)
    {
        (_handler, _options, _time, _log) = (handler, options, time, log);
        _queue = Channel.CreateBounded<(JsonElement, long)>(new BoundedChannelOptions(options.MaxQueuedInteractions)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _workers = [.. Enumerable.Range(0, options.MaxConcurrentHandlers).Select(_ => Task.Run(WorkAsync))];
    }

    /// <summary>Never blocks. <paramref name="interaction"/> must own its memory (a clone, not part of a disposed document).</summary>
    public void Enqueue(JsonElement interaction)
    {
        if (!_queue.Writer.TryWrite((interaction, _time.GetTimestamp())))
        {
            _log.InteractionDropped(_queue.Reader.Count, InteractionId(interaction));
        }
    }

    /// <summary>Stops taking interactions and lets queued and running handlers finish (up to <see cref="DiscordGatewayOptions.StopDrainTimeout"/>), then cancels them.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        var all = Task.WhenAll(_workers);
        try
        {
            await all.WaitAsync(_options.StopDrainTimeout, _time);
        }
        catch (TimeoutException)
        {
            _log.HandlersCancelled(_options.StopDrainTimeout);
            await _abort.CancelAsync();
            await Task.WhenAny(all, Task.Delay(_options.StopDrainTimeout, _time));
        }
        if (all.IsCompleted)
        {
            _abort.Dispose();
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var (interaction, arrivedAt) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            var waited = _time.GetElapsedTime(arrivedAt);
            if (waited >= Expired)
            {
                _log.InteractionExpired(InteractionId(interaction), waited);
                continue;
            }
            using var timeout = new CancellationTokenSource(_options.HandlerTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _abort.Token);
            using var deadline = new CancellationTokenSource(waited < RespondWithin ? RespondWithin - waited : TimeSpan.Zero, _time);
            using var respondBy = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, linked.Token);
            try
            {
                await _handler.HandleInteractionAsync(interaction, respondBy.Token, linked.Token);
            }
            catch (Exception ex)
            {
                _log.HandlerFailed(ex, InteractionId(interaction));
            }
        }
    }

    private static string? InteractionId(JsonElement interaction) =>
        interaction.ValueKind == JsonValueKind.Object && interaction.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
}
