using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// Slack Socket Mode, outbound only: asks apps.connections.open for a URL, connects to exactly that URL, hands every
/// envelope to <see cref="ISocketModeHandler"/> once, and acknowledges every envelope within Slack's 3 s (with the
/// handler's inline answer when it is ready within <see cref="SocketModeSettings.InlineWindow"/>). It keeps
/// <see cref="SocketModeSettings.Connections"/> connections up: a connection Slack wants refreshed is replaced by a
/// new one before it is closed, a lost one is reopened with capped, jittered backoff, and <c>link_disabled</c> or a
/// token Slack keeps refusing stops it for good. It moves bytes and acknowledgements; it knows no commands.
/// </summary>
internal sealed class SlackSocketModeTransport(
    HttpClient http,
    SocketModeSettings settings,
    ISocketModeHandler handler,
    TimeProvider time,
    ILogger<SlackSocketModeTransport> log)
{
    private readonly SocketModeSettings _settings = Validated(settings);
    private readonly ConnectionsOpenClient _opener = new(http, settings);
    private readonly EnvelopeIdMemory _seen = new(settings.RememberedEnvelopes);
    private readonly ConcurrentDictionary<Task, byte> _handlers = new();
    private readonly Lock _liveGate = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _live;
    private int _started;
    private int _stopReason = -1;
    private int _tokenRefusals;
    private int _connectionNumber;
    private CancellationToken _handlerToken;
    private CancellationTokenSource? _fatal;

    /// <summary>At least one connection has said hello and is still open.</summary>
    public bool IsConnected => Volatile.Read(ref _live) > 0;

    /// <summary>Completes as soon as <see cref="IsConnected"/> is true (at once if it already is).</summary>
    public Task WhenConnectedAsync(CancellationToken ct)
    {
        lock (_liveGate)
        {
            return _connected.Task.WaitAsync(ct);
        }
    }

    /// <summary>
    /// Runs until <paramref name="ct"/> is cancelled, Slack disables Socket Mode, or the app token is refused
    /// <see cref="SocketModeSettings.MaxAuthFailures"/> times in a row; then closes its connections (after the acks
    /// they still owe) and waits a little for running handlers. Handlers see <paramref name="ct"/>. Runs once.
    /// </summary>
    public async Task<SocketModeStopReason> RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("A Socket Mode transport runs once.");
        }
        _handlerToken = ct;
        using var fatal = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _fatal = fatal;
        await Task.WhenAll(Enumerable.Range(0, _settings.Connections).Select(slot => RunSlotAsync(slot, fatal.Token)));
        try
        {
            await Task.WhenAll(_handlers.Keys).WaitAsync(_settings.CloseGrace, time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            SocketModeLog.HandlersStillRunning(log, _handlers.Count);
        }
        var reason = _stopReason < 0 ? SocketModeStopReason.Cancelled : (SocketModeStopReason)_stopReason;
        SocketModeLog.Stopped(log, reason);
        return reason;
    }

    /// <summary>One connection kept up for as long as the transport runs.</summary>
    private async Task RunSlotAsync(int slot, CancellationToken stop)
    {
        SocketModeConnection? current = null;
        var drops = 0;
        var retiring = new List<Task>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStop = stop.Register(() => stopped.TrySetResult());
        try
        {
            if (slot > 0)
            {
                await Task.Delay(_settings.ConnectionStagger * slot, time, stop);
            }
            while (!stop.IsCancellationRequested)
            {
                current ??= await ConnectAsync(slot, drops == 0 ? null : drops - 1, stop);
                if (current is null)
                {
                    break;
                }
                var openedAt = time.GetTimestamp();
                await Task.WhenAny(current.Completion, current.DisconnectRequested, stopped.Task);
                if (stop.IsCancellationRequested)
                {
                    break;
                }
                if (current.DisconnectRequested.IsCompleted)
                {
                    var reason = await current.DisconnectRequested;
                    if (reason == SocketModeMessageTypes.LinkDisabled)
                    {
                        SocketModeLog.LinkDisabled(log, current.Name);
                        StopForGood(SocketModeStopReason.LinkDisabled);
                        break;
                    }
                    // refresh_requested, warning (or a reason we do not know): the old socket is read, and owes its
                    // acks, until the new one has said hello; envelopes keep arriving on it meanwhile.
                    SocketModeLog.Replacing(log, current.Name, reason);
                    // A refresh asked for right after hello, again and again (too_many_websockets, a reason we do not
                    // know), backs off like a drop: only a connection that lived a while is replaced at once.
                    var shortLived = time.GetElapsedTime(openedAt) < _settings.ReconnectMaxDelay;
                    var replacement = await ConnectAsync(slot, shortLived ? drops : null, stop);
                    // Closing waits for the acks the old socket still owes; this slot watches the new one meanwhile.
                    retiring.Add(current.CloseAsync(_settings.CloseGrace));
                    current = replacement;
                    drops = shortLived ? drops + 1 : 0;
                    continue;
                }
                SocketModeLog.Dropped(log, current.Name, await current.Completion);
                await current.DisposeAsync();
                current = null;
                // A connection that lived a while starts the backoff afresh; one that keeps dying right away backs off further.
                drops = time.GetElapsedTime(openedAt) > _settings.ReconnectMaxDelay ? 1 : drops + 1;
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Stopping: whatever was in progress ends here.
        }
        finally
        {
            if (current is not null)
            {
                retiring.Add(current.CloseAsync(_settings.CloseGrace));
            }
            await Task.WhenAll(retiring);
        }
    }

    /// <summary>
    /// apps.connections.open, then the WebSocket, until one says hello. <paramref name="backoffAttempt"/>: wait before
    /// the first try (after a drop). Null when stopping.
    /// </summary>
    private async Task<SocketModeConnection?> ConnectAsync(int slot, int? backoffAttempt, CancellationToken stop)
    {
        var attempt = backoffAttempt ?? 0;
        var wait = backoffAttempt is not null;
        TimeSpan? retryAfter = null;
        while (true)
        {
            if (wait)
            {
                var delay = retryAfter ?? ReconnectBackoff.Delay(attempt, _settings.ReconnectInitialDelay, _settings.ReconnectMaxDelay, Random.Shared.NextDouble());
                SocketModeLog.Waiting(log, delay, attempt + 1);
                await Task.Delay(delay, time, stop);
                attempt++;
            }
            wait = true;
            retryAfter = null;
            var open = await _opener.OpenAsync(stop);
            if (open.Url is { } url)
            {
                var name = $"{slot + 1}.{Interlocked.Increment(ref _connectionNumber)}";
                try
                {
                    var connection = await SocketModeConnection.OpenAsync(url, name, _settings, Dispatch, time, log, stop);
                    Interlocked.Exchange(ref _tokenRefusals, 0);
                    OnConnected(connection);
                    return connection;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    SocketModeLog.ConnectFailed(log, name, url.Host, ex.Message);
                    continue;
                }
            }
            if (open.RetryAfter is { } pause)
            {
                SocketModeLog.RateLimited(log, pause);
                retryAfter = pause;
                continue;
            }
            if (open.IsTokenRefusal)
            {
                var refusals = Interlocked.Increment(ref _tokenRefusals);
                SocketModeLog.TokenRefused(log, open.Error!, refusals, _settings.MaxAuthFailures);
                if (refusals >= _settings.MaxAuthFailures)
                {
                    SocketModeLog.GivingUp(log, refusals, open.Error!);
                    StopForGood(SocketModeStopReason.Unauthorized);
                    return null;
                }
                continue;
            }
            SocketModeLog.OpenFailed(log, open.Error ?? "unknown_error");
        }
    }

    /// <summary>Called on the connection's receive loop for each envelope: must not block.</summary>
    private void Dispatch(SocketModeConnection connection, SocketModeEnvelope envelope)
    {
        var inline = new SocketModeInlineReply(envelope.AcceptsResponsePayload);
        if (!_seen.TryRemember(envelope.EnvelopeId, inline, out var first))
        {
            SocketModeLog.Duplicate(log, envelope.EnvelopeId, envelope.Type, envelope.RetryAttempt);
            // The first delivery's window closes now if it was still open; its answer, if taken, is sent again.
            connection.TrackAck(AckAsync(connection, envelope.EnvelopeId, first.Close()));
            return;
        }
        if (!envelope.AcceptsResponsePayload)
        {
            connection.TrackAck(AckAsync(connection, envelope.EnvelopeId, null));
            Track(HandleAsync(envelope, inline));
            return;
        }
        var handling = Track(HandleAsync(envelope, inline));
        connection.TrackAck(AckWhenAnsweredAsync(connection, envelope.EnvelopeId, inline, handling));
    }

    private async Task AckWhenAnsweredAsync(SocketModeConnection connection, string envelopeId, SocketModeInlineReply inline, Task handling)
    {
        using (var window = CancellationTokenSource.CreateLinkedTokenSource(_handlerToken))
        {
            var elapsed = Task.Delay(_settings.InlineWindow, time, window.Token);
            await Task.WhenAny(inline.Answered, handling, elapsed);
            await window.CancelAsync();
        }
        await AckAsync(connection, envelopeId, inline.Close());
    }

    private async Task AckAsync(SocketModeConnection connection, string envelopeId, JsonObject? payload)
    {
        var ack = new JsonObject { ["envelope_id"] = envelopeId };
        if (payload is not null)
        {
            // A payload may be sent twice (a redelivered envelope); a JsonNode has one parent.
            ack["payload"] = payload.DeepClone();
        }
        try
        {
            using var deadline = new CancellationTokenSource(SocketModeSettings.AckDeadline, time);
            await connection.SendAsync(ack, deadline.Token);
            SocketModeLog.Acked(log, envelopeId, connection.Name, payload is null ? "without payload" : "with the inline answer");
        }
        catch (Exception ex)
        {
            SocketModeLog.AckFailed(log, envelopeId, connection.Name, ex.Message);
        }
    }

    private Task HandleAsync(SocketModeEnvelope envelope, SocketModeInlineReply inline) => Task.Run(async () =>
    {
        try
        {
            await handler.HandleAsync(envelope, inline, _handlerToken);
        }
        catch (OperationCanceledException) when (_handlerToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            SocketModeLog.HandlerFailed(log, ex, envelope.EnvelopeId, envelope.Type);
        }
    }, CancellationToken.None);

    private Task Track(Task work)
    {
        _handlers.TryAdd(work, 0);
        _ = work.ContinueWith(t => _handlers.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return work;
    }

    private void OnConnected(SocketModeConnection connection)
    {
        lock (_liveGate)
        {
            _live++;
            _connected.TrySetResult();
        }
        var hello = connection.Hello;
        SocketModeLog.Connected(log, connection.Name, connection.Host,
            Number(hello?["num_connections"]),
            Number(hello?["debug_info"]?["approximate_connection_time"]));
        _ = connection.Completion.ContinueWith(_ =>
        {
            lock (_liveGate)
            {
                if (--_live == 0)
                {
                    _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void StopForGood(SocketModeStopReason reason)
    {
        Interlocked.CompareExchange(ref _stopReason, (int)reason, -1);
        _fatal?.Cancel();
    }

    private static int? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var n) ? n : null;

    private static SocketModeSettings Validated(SocketModeSettings settings)
    {
        settings.Validate();
        return settings;
    }
}
