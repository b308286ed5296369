using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// One Socket Mode WebSocket. It reads until the socket ends (a message may span frames), tells the transport about
/// each envelope, and sends one message at a time (ClientWebSocket allows a single send in flight). It is ready
/// only once Slack has said <c>hello</c>.
/// </summary>
internal sealed class SocketModeConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<JsonObject> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _disconnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Task, byte> _pendingAcks = new();
    private readonly SocketModeSettings _settings;
    private readonly Action<SocketModeConnection, SocketModeEnvelope> _onEnvelope;
    private readonly ILogger _log;
    private Task<string> _receiving = Task.FromResult("never connected");
    private int _disposed;

    private SocketModeConnection(string name, Uri url, SocketModeSettings settings, Action<SocketModeConnection, SocketModeEnvelope> onEnvelope, ILogger log)
    {
        Name = name;
        Host = url.Host;
        _settings = settings;
        _onEnvelope = onEnvelope;
        _log = log;
        _socket.Options.KeepAliveInterval = settings.KeepAliveInterval;
        _socket.Options.KeepAliveTimeout = settings.KeepAliveTimeout;
    }

    /// <summary>For logs, e.g. <c>1.3</c>: the third connection of the first slot.</summary>
    public string Name { get; }

    public string Host { get; }

    /// <summary>Slack's hello (num_connections, debug_info).</summary>
    public JsonObject? Hello => _hello.Task.IsCompletedSuccessfully ? _hello.Task.Result : null;

    /// <summary>Ends, with a reason for the log, when the socket is closed or lost. Never faults.</summary>
    public Task<string> Completion => _receiving;

    /// <summary>Completes with the reason of Slack's <c>disconnect</c> message, if one comes.</summary>
    public Task<string> DisconnectRequested => _disconnect.Task;

    /// <summary>Connects to exactly <paramref name="url"/> and returns once Slack has said hello.</summary>
    public static async Task<SocketModeConnection> OpenAsync(
        Uri url, string name, SocketModeSettings settings, Action<SocketModeConnection, SocketModeEnvelope> onEnvelope,
        TimeProvider time, ILogger log, CancellationToken ct)
    {
        var connection = new SocketModeConnection(name, url, settings, onEnvelope, log);
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connectTimeout.CancelAfter(settings.ConnectTimeout);
                await connection._socket.ConnectAsync(url, connectTimeout.Token);
            }
            connection._receiving = connection.ReceiveAsync();
            await connection._hello.Task.WaitAsync(settings.HelloTimeout, time, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one JSON message; waits for any send in flight first.</summary>
    public async Task SendAsync(JsonObject message, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>An acknowledgement still to be sent on this connection; closing waits for it.</summary>
    public void TrackAck(Task ack)
    {
        _pendingAcks.TryAdd(ack, 0);
        _ = ack.ContinueWith(t => _pendingAcks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Closes politely: first the acknowledgements still owed on this socket, then the close handshake (reading on
    /// meanwhile), all within <paramref name="grace"/>; then aborts whatever is left.
    /// </summary>
    public async Task CloseAsync(TimeSpan grace)
    {
        using var bound = new CancellationTokenSource(grace);
        try
        {
            await Task.WhenAll(_pendingAcks.Keys).WaitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // Unsent acks: Slack redelivers those envelopes on another connection.
        }
        try
        {
            await _sendLock.WaitAsync(bound.Token);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", bound.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
            await _receiving.WaitAsync(bound.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Abort below.
        }
        await DisposeAsync();
    }

    private async Task<string> ReceiveAsync()
    {
        var reason = "closed";
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                message.SetLength(0);
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(), _abort.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        reason = $"closed by Slack ({(int?)_socket.CloseStatus} {_socket.CloseStatusDescription})".TrimEnd();
                        await AnswerCloseAsync();
                        return reason;
                    }
                    message.Write(buffer, 0, result.Count);
                    if (message.Length > _settings.MaxMessageBytes)
                    {
                        reason = $"a message over {_settings.MaxMessageBytes} bytes";
                        return reason;
                    }
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Dispatch(message.GetBuffer().AsMemory(0, (int)message.Length));
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            reason = "closed by us";
            return reason;
        }
        catch (Exception ex)
        {
            // A keep-alive timeout surfaces as OperationCanceledException("Aborted") around the WebSocketException.
            reason = "connection lost: " + (ex is OperationCanceledException && ex.InnerException is { } inner ? inner.Message : ex.Message);
            return reason;
        }
        finally
        {
            _hello.TrySetException(new WebSocketException($"Socket Mode connection {Name} ended before hello: {reason}"));
        }
    }

    private async Task AnswerCloseAsync()
    {
        try
        {
            using var bound = new CancellationTokenSource(_settings.CloseGrace);
            await _sendLock.WaitAsync(bound.Token);
            try
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", bound.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The peer is gone already.
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> utf8)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(utf8.Span) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }
        if (message is null)
        {
            SocketModeLog.Unusable(_log, Name, "not a JSON object");
            return;
        }
        var type = Text(message, "type");
        var envelopeId = Text(message, "envelope_id");
        if (type == SocketModeMessageTypes.Hello)
        {
            _hello.TrySetResult(message);
        }
        else if (type == SocketModeMessageTypes.Disconnect)
        {
            _disconnect.TrySetResult(Text(message, "reason") ?? "unknown");
        }
        else if (envelopeId is not null)
        {
            var retry = message["retry_attempt"] is JsonValue attempt && attempt.TryGetValue<int>(out var n) ? n : (int?)null;
            // Every envelope is acknowledged, even one the handler cannot use (a missing payload gets an empty one).
            var payload = message["payload"] as JsonObject ?? [];
            if (message["payload"] is not JsonObject)
            {
                SocketModeLog.Unusable(_log, Name, $"envelope {envelopeId} has no payload object");
            }
            message.Remove("payload");
            var accepts = message["accepts_response_payload"]?.GetValueKind() == JsonValueKind.True;
            _onEnvelope(this, new SocketModeEnvelope(envelopeId, type ?? "unknown", payload, accepts, retry, Text(message, "retry_reason")));
        }
        else
        {
            SocketModeLog.Unusable(_log, Name, $"unknown message type '{type}'");
        }
    }

    private static string? Text(JsonObject message, string key) =>
        message[key]?.GetValueKind() == JsonValueKind.String ? message[key]!.GetValue<string>() : null;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _abort.CancelAsync();
        _socket.Abort();
        await _receiving;
        _socket.Dispose();
        _abort.Dispose();
    }
}
