using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

/// <summary>One bot connection to <see cref="FakeDiscordGateway"/>, with what the bot sent and the controls a test needs.</summary>
public sealed class FakeGatewayConnection : IDisposable
{
    private const int Dispatch = 0, Heartbeat = 1, Identify = 2, Resume = 6, Reconnect = 7, InvalidSession = 9, Hello = 10, HeartbeatAck = 11;
    private const int MaxPayloadBytes = 4096;

    private readonly FakeDiscordGateway _gateway;
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<int?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal FakeGatewayConnection(FakeDiscordGateway gateway, WebSocket socket, int number, string path, string query)
    {
        (_gateway, _socket, Number, Path, Query) = (gateway, socket, number, path, query);
        ConnectedAt = DateTimeOffset.UtcNow;
    }

    public int Number { get; }

    /// <summary><c>/gateway</c> (the gateway/bot URL) or <c>/resume</c> (READY's resume_gateway_url).</summary>
    public string Path { get; }

    public string Query { get; }

    public DateTimeOffset ConnectedAt { get; }

    public ConcurrentQueue<GatewayFrame> Received { get; } = new();

    public FakeGatewaySession? Session { get; private set; }

    /// <summary>The bot's close code once the connection ended (null: dropped without a close frame).</summary>
    public Task<int?> Closed => _closed.Task;

    /// <summary>Sends INTERACTION_CREATE (numbered within the session) and returns its <c>s</c>.</summary>
    public async Task<int> DispatchInteractionAsync(string id) => await DispatchAsync("INTERACTION_CREATE", FakeDiscordGateway.Interaction(id));

    public async Task<int> DispatchAsync(string t, JsonNode d)
    {
        var (s, payload) = Session!.Record(t, d);
        await SendAsync(payload);
        return s;
    }

    public Task SendReconnectAsync() => SendAsync($$"""{"op":{{Reconnect}},"d":null}""");

    public Task SendInvalidSessionAsync(bool resumable) => SendAsync($$"""{"op":{{InvalidSession}},"d":{{(resumable ? "true" : "false")}}}""");

    public Task RequestHeartbeatAsync() => SendAsync($$"""{"op":{{Heartbeat}},"d":null}""");

    public async Task CloseAsync(int code)
    {
        try
        {
            await _sendLock.WaitAsync();
            try
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, "fake gateway", CancellationToken.None);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (WebSocketException)
        {
        }
    }

    /// <summary>Waits (bounded) until the bot sent a payload that matches.</summary>
    public async Task<GatewayFrame> WaitForAsync(Func<GatewayFrame, bool> match, TimeSpan? timeout = null, string what = "a payload")
    {
        await FakeDiscordGateway.Until(() => Received.Any(match), timeout, $"{what} on connection {Number}");
        return Received.First(match);
    }

    public Task<GatewayFrame> WaitForOpAsync(int op, TimeSpan? timeout = null) => WaitForAsync(f => f.Op == op, timeout, $"op {op}");

    internal void Abort() => _socket.Abort();

    /// <summary>Called by the fake when it stops: a test may still send on a connection the bot already left.</summary>
    public void Dispose() => _sendLock.Dispose();

    internal async Task RunAsync(CancellationToken aborted)
    {
        try
        {
            if (!Query.Contains("v=10", StringComparison.Ordinal))
            {
                await CloseAsync(4012);
                return;
            }
            if (!Query.Contains("encoding=json", StringComparison.Ordinal))
            {
                await CloseAsync(4002);
                return;
            }
            await SendAsync($$"""{"op":{{Hello}},"d":{"heartbeat_interval":{{_gateway.HeartbeatIntervalMs}}},"s":null,"t":null}""");
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), aborted);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(_socket.CloseStatus is { } status ? (int)status : null);
                    return;
                }
                if (length > MaxPayloadBytes)
                {
                    await CloseAsync(4002);
                    continue;
                }
                var payload = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, length))!.AsObject();
                var op = payload["op"]!.GetValue<int>();
                Received.Enqueue(new GatewayFrame(op, payload, DateTimeOffset.UtcNow));
                await HandleAsync(op, payload["d"]);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _closed.TrySetResult(_socket.CloseStatus is { } status ? (int)status : null);
        }
    }

    private async Task HandleAsync(int op, JsonNode? d)
    {
        switch (op)
        {
            case Heartbeat:
                if (_gateway.AckHeartbeats)
                {
                    await SendAsync($$"""{"op":{{HeartbeatAck}}}""");
                }
                break;
            case Identify:
                await IdentifyAsync(d);
                break;
            case Resume:
                await ResumeAsync(d);
                break;
            default:
                await CloseAsync(4001);
                break;
        }
    }

    private async Task IdentifyAsync(JsonNode? d)
    {
        if (Session is not null)
        {
            await CloseAsync(4005);
            return;
        }
        if (d?["token"]?.GetValue<string>() != _gateway.GatewayAcceptedToken)
        {
            await CloseAsync(4004);
            return;
        }
        var properties = d["properties"];
        if (d["intents"] is not JsonValue intents || intents.GetValue<int>() != 0
            || properties?["os"] is null || properties["browser"] is null || properties["device"] is null)
        {
            await CloseAsync(4002);
            return;
        }
        Session = _gateway.NewSession();
        Session.Current = this;
        await DispatchAsync("READY", new JsonObject
        {
            ["v"] = 10,
            ["user"] = new JsonObject { ["id"] = FakeDiscordGateway.ApplicationId, ["username"] = "pgchatops", ["bot"] = true },
            ["guilds"] = new JsonArray(),
            ["session_id"] = Session.Id,
            ["resume_gateway_url"] = _gateway.ResumeUrl.AbsoluteUri.TrimEnd('/'),
            ["application"] = new JsonObject { ["id"] = FakeDiscordGateway.ApplicationId, ["flags"] = 0 },
        });
    }

    private async Task ResumeAsync(JsonNode? d)
    {
        if (d?["token"]?.GetValue<string>() != _gateway.GatewayAcceptedToken)
        {
            await CloseAsync(4004);
            return;
        }
        if (d["session_id"]?.GetValue<string>() is not { } id || !_gateway.Sessions.TryGetValue(id, out var session))
        {
            await SendInvalidSessionAsync(resumable: false);
            return;
        }
        var seq = d["seq"]?.GetValue<int>() ?? 0;
        if (seq > session.LastSequence)
        {
            await CloseAsync(4007);
            return;
        }
        Session = session;
        session.Current = this;
        foreach (var missed in session.After(seq))
        {
            await SendAsync(missed);
        }
        await DispatchAsync("RESUMED", new JsonObject());
    }

    private async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
