using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// One Gateway WebSocket: one send at a time (a <see cref="ClientWebSocket"/> allows one send and one receive in
/// parallel), at most <see cref="MaxPayloadBytes"/> a payload and 120 sends a minute, and whole messages in.
/// </summary>
internal sealed class GatewaySocket(ClientWebSocket socket, GatewaySendLimiter limiter) : IDisposable
{
    /// <summary>Discord closes with 4002 on a larger payload (PROTOCOLS.md §15.9).</summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>A guard, not a protocol limit: READY for a bot in few guilds is a few kilobytes.</summary>
    public const int MaxMessageBytes = 8 * 1024 * 1024;

    private const int ReceiveChunkBytes = 16 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _message = new(ReceiveChunkBytes);

    /// <summary>The server's close code once it closed (null: no close frame, or not closed).</summary>
    public int? CloseCode { get; private set; }

    public static async Task<GatewaySocket> ConnectAsync(Uri url, TimeProvider time, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        // Gateway heartbeats are the liveness check; WebSocket pings would only add traffic.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
            await socket.ConnectAsync(url, linked.Token);
            return new GatewaySocket(socket, new GatewaySendLimiter(time));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            throw new InvalidOperationException($"A Gateway payload of {payload.Length} bytes exceeds Discord's {MaxPayloadBytes}.");
        }
        await limiter.WaitAsync(ct);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next whole message, or null once the server closed (see <see cref="CloseCode"/>).</summary>
    public async Task<JsonDocument?> ReceiveAsync(CancellationToken ct)
    {
        _message.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(_message.GetMemory(ReceiveChunkBytes), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // 4000–4014 are not WebSocketCloseStatus members: read them as numbers.
                CloseCode = socket.CloseStatus is { } status ? (int)status : null;
                return null;
            }
            _message.Advance(result.Count);
            if (_message.WrittenCount > MaxMessageBytes)
            {
                throw new WebSocketException(WebSocketError.HeaderError, $"A Gateway message exceeded {MaxMessageBytes} bytes.");
            }
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(_message.WrittenMemory);
            }
        }
    }

    /// <summary>
    /// Sends a close frame with <paramref name="code"/> (1000 ends the session; anything else keeps it resumable)
    /// without waiting for the server's answer. Best effort: a dead connection is simply dropped.
    /// </summary>
    public async Task CloseAsync(int code, TimeSpan timeout, TimeProvider time)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        try
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            await _sendLock.WaitAsync(deadline.Token);
            try
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, null, deadline.Token);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    public void Dispose()
    {
        socket.Dispose();
        _sendLock.Dispose();
    }
}
