using System.Net.WebSockets;
using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// One Gateway connection from Hello to close: heartbeats (first after interval × jitter, then every interval,
/// at once on a server op 1), Identify or Resume, dispatches, and zombie detection (no ACK between two beats).
/// Every way it ends goes through <see cref="FinishAsync"/>: decide the next step once, stop the heartbeats, send
/// a close frame (1000 only when ending the session on purpose), and read on until the server's close answers it
/// (or <see cref="CloseGrace"/> passes): aborting at once could lose the close frame, and with it a 1000's meaning.
/// </summary>
internal sealed class GatewayConnection(
    GatewaySocket socket,
    GatewaySession session,
    bool resume,
    DiscordGatewayOptions options,
    GatewayInteractionDispatcher dispatcher,
    TimeProvider time,
    ILogger log,
    Action identified) : IDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource<GatewayConnectionEnd> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _life = new();
    private readonly CancellationTokenSource _loops = new();
    private volatile bool _ready;
    private volatile bool _reachedSession;
    private volatile bool _awaitingAck;
    private Task _heartbeats = Task.CompletedTask;

    /// <summary>The session is established on this connection and it is still open.</summary>
    public bool IsReady => _ready;

    public async Task<GatewayConnectionEnd> RunAsync(GatewayStop onStop, CancellationToken stopping)
    {
        var stopClose = onStop == GatewayStop.EndSession ? GatewayCloseCode.NormalClosure : GatewayCloseCode.UnknownError;
        var step = resume ? GatewayNextStep.Resume : GatewayNextStep.Identify;
        await using var stop = stopping.Register(() => _ = FinishAsync(new GatewayConnectionEnd(step, "stopped", Stopped: true), stopClose));
        var helloWatch = HelloWatchAsync(step);
        try
        {
            await ReceiveLoopAsync();
        }
        catch (OperationCanceledException) when (_life.IsCancellationRequested || _end.Task.IsCompleted)
        {
            // FinishAsync decided the end and cancelled the receive (or aborted the socket under it, which .NET reports
            // as a cancellation before _life is cancelled).
        }
        catch (Exception ex)
        {
            // A drop without a close frame, a message we cannot read, a send that failed, a cancellation nobody asked
            // for: the session may still be resumable. Never the end of the bot's Gateway.
            await FinishAsync(new GatewayConnectionEnd(GatewayNextStep.Resume, "connection lost: " + ex.Message), GatewayCloseCode.UnknownError);
        }
        var end = await _end.Task;
        _ready = false;
        await _loops.CancelAsync();
        await _life.CancelAsync();
        await Task.WhenAll(Quietly(_heartbeats), Quietly(helloWatch));
        return end with { ReachedSession = _reachedSession };
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_life.IsCancellationRequested)
        {
            using var message = await socket.ReceiveAsync(_life.Token);
            if (message is null)
            {
                var code = socket.CloseCode;
                var next = GatewayCloseCode.After(code);
                await FinishAsync(new GatewayConnectionEnd(next, code is { } c ? $"server closed with {c}" : "server closed", code), code ?? GatewayCloseCode.UnknownError);
                return;
            }
            await HandleAsync(message.RootElement);
        }
    }

    private async Task HandleAsync(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("op", out var opElement)
            || opElement.ValueKind != JsonValueKind.Number || !opElement.TryGetInt32(out var op))
        {
            return;
        }
        payload.TryGetProperty("d", out var d);
        switch (op)
        {
            case GatewayOpcode.Hello:
                await HelloAsync(d);
                break;
            case GatewayOpcode.HeartbeatAck:
                _awaitingAck = false;
                session.Acknowledged(time.GetUtcNow());
                break;
            case GatewayOpcode.Heartbeat when !_end.Task.IsCompleted:
                // The server asks for a beat now; it does not reset the timer's zombie check.
                await socket.SendAsync(GatewayPayloads.Heartbeat(session.Sequence), _life.Token);
                break;
            case GatewayOpcode.Dispatch:
                Dispatch(payload, d);
                break;
            case GatewayOpcode.Reconnect:
                await FinishAsync(new GatewayConnectionEnd(GatewayNextStep.Resume, "server asked to reconnect (op 7)"), GatewayCloseCode.UnknownError);
                break;
            case GatewayOpcode.InvalidSession:
                var resumable = d.ValueKind == JsonValueKind.True;
                log.InvalidSession(resumable);
                await FinishAsync(
                    resumable
                        ? new GatewayConnectionEnd(GatewayNextStep.Resume, "invalid session (op 9, resumable)")
                        : new GatewayConnectionEnd(GatewayNextStep.Identify, "invalid session (op 9)", InvalidSession: true),
                    GatewayCloseCode.UnknownError);
                break;
        }
    }

    private async Task HelloAsync(JsonElement d)
    {
        if (_end.Task.IsCompleted || !_heartbeats.IsCompleted || d.ValueKind != JsonValueKind.Object
            || !d.TryGetProperty("heartbeat_interval", out var ms) || ms.ValueKind != JsonValueKind.Number
            || !ms.TryGetDouble(out var intervalMs) || intervalMs <= 0)
        {
            return;
        }
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        _heartbeats = HeartbeatAsync(interval);
        if (resume && session.Id is { } sessionId)
        {
            await socket.SendAsync(GatewayPayloads.Resume(options.BotToken, sessionId, session.Sequence), _life.Token);
        }
        else
        {
            await socket.SendAsync(GatewayPayloads.Identify(options.BotToken, options.ClientName), _life.Token);
            identified();
        }
    }

    private void Dispatch(JsonElement payload, JsonElement d)
    {
        int? sequence = payload.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var value) ? value : null;
        if (sequence is { } seq)
        {
            session.Observe(seq);
        }
        var name = String(payload, "t");
        switch (name)
        {
            case "INTERACTION_CREATE" when d.ValueKind == JsonValueKind.Object:
                dispatcher.Enqueue(d.Clone());
                break;
            case "READY":
                var sessionId = String(d, "session_id");
                var resumeUrl = Uri.TryCreate(String(d, "resume_gateway_url"), UriKind.Absolute, out var u) && GatewayUrl.IsSafeSocket(u, options.ApiBaseUrl) ? u : null;
                var applicationId = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("application", out var app) ? String(app, "id") : null;
                if (sessionId is not null && resumeUrl is not null)
                {
                    session.Established(sessionId, resumeUrl, applicationId);
                }
                _reachedSession = _ready = true;
                log.Ready(applicationId);
                break;
            case "RESUMED":
                _reachedSession = _ready = true;
                log.Resumed(session.Sequence);
                break;
            default:
                log.DispatchIgnored(name, sequence);
                break;
        }
    }

    private async Task HeartbeatAsync(TimeSpan interval)
    {
        try
        {
            await Task.Delay(interval * Random.Shared.NextDouble(), time, _loops.Token);
            while (!_loops.IsCancellationRequested)
            {
                if (_awaitingAck)
                {
                    log.Zombie();
                    await FinishAsync(new GatewayConnectionEnd(GatewayNextStep.Resume, "no heartbeat ACK"), GatewayCloseCode.UnknownError);
                    return;
                }
                _awaitingAck = true;
                await socket.SendAsync(GatewayPayloads.Heartbeat(session.Sequence), _life.Token);
                await Task.Delay(interval, time, _loops.Token);
            }
        }
        catch (OperationCanceledException) when (_loops.IsCancellationRequested || _life.IsCancellationRequested)
        {
        }
        catch (WebSocketException ex)
        {
            await FinishAsync(new GatewayConnectionEnd(GatewayNextStep.Resume, "heartbeat failed: " + ex.Message), GatewayCloseCode.UnknownError);
        }
    }

    /// <summary>Op 7 may come instead of Hello; nothing at all means a broken gateway.</summary>
    private async Task HelloWatchAsync(GatewayNextStep step)
    {
        try
        {
            await Task.Delay(options.ConnectTimeout, time, _loops.Token);
            if (_heartbeats.IsCompleted)
            {
                await FinishAsync(new GatewayConnectionEnd(step, "no Hello"), GatewayCloseCode.UnknownError);
            }
        }
        catch (OperationCanceledException) when (_loops.IsCancellationRequested)
        {
        }
    }

    private async Task FinishAsync(GatewayConnectionEnd end, int closeCode)
    {
        if (!_end.TrySetResult(end))
        {
            return;
        }
        _ready = false;
        try
        {
            await _loops.CancelAsync();
            await socket.CloseAsync(closeCode, CloseTimeout, time);
            _life.CancelAfter(CloseGrace);
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended.
        }
    }

    public void Dispose()
    {
        _life.Dispose();
        _loops.Dispose();
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Its outcome was already turned into the connection's end.
        }
    }
}
