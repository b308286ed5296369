using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

/// <summary>One accepted Socket Mode WebSocket on the fake Slack.</summary>
internal sealed class FakeSlackSocket(FakeSlackSocketMode slack, int number, string ticket, WebSocket ws, HttpContext context) : IDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _freezeAfterNextMessage;

    public int Number { get; } = number;

    public string Ticket { get; } = ticket;

    public Task HelloSent => _hello.Task;

    /// <summary>Completes when the socket is gone, however it went.</summary>
    public Task Ended => _ended.Task;

    /// <summary>The app sent a close frame (a polite close, not a drop).</summary>
    public bool ClosedByApp { get; private set; }

    internal async Task RunAsync(int numConnections)
    {
        try
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "hello",
                ["num_connections"] = numConnections,
                ["connection_info"] = new JsonObject { ["app_id"] = "A111" },
                ["debug_info"] = new JsonObject { ["host"] = "applink-fake", ["approximate_connection_time"] = 18060 },
            });
            _hello.TrySetResult();
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            while (true)
            {
                message.SetLength(0);
                WebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClosedByApp = true;
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    return;
                }
                var json = JsonNode.Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length))!.AsObject();
                var envelopeId = json["envelope_id"]!.GetValue<string>();
                slack.Acked(new RecordedAck(Number, envelopeId, json["payload"] as JsonObject, json, DateTimeOffset.UtcNow));
                if (_freezeAfterNextMessage)
                {
                    // Reading no more also means answering no pings: to the app this socket is now dead.
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    /// <summary>Pushes an envelope; returns its id.</summary>
    public async Task<string> PushAsync(string type, JsonObject payload, bool acceptsResponsePayload, string? envelopeId = null, int? retryAttempt = null)
    {
        envelopeId ??= Guid.NewGuid().ToString();
        var envelope = new JsonObject
        {
            ["envelope_id"] = envelopeId,
            ["type"] = type,
            ["payload"] = payload,
            ["accepts_response_payload"] = acceptsResponsePayload,
        };
        if (retryAttempt is { } retry)
        {
            envelope["retry_attempt"] = retry;
            envelope["retry_reason"] = "timeout";
        }
        slack.Pushed(envelopeId);
        await SendAsync(envelope);
        return envelopeId;
    }

    public Task SendDisconnectAsync(string reason) => SendAsync(new JsonObject
    {
        ["type"] = "disconnect",
        ["reason"] = reason,
        ["debug_info"] = new JsonObject { ["host"] = "wss-fake" },
    });

    /// <summary>Kills the TCP connection: no close frame.</summary>
    public void Drop()
    {
        try
        {
            context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request is over: the socket is gone already.
        }
    }

    /// <summary>After the next message from the app, stop reading (and so stop answering its pings).</summary>
    public void FreezeAfterNextMessage() => _freezeAfterNextMessage = true;

    public void Dispose() => _sendLock.Dispose();

    private async Task SendAsync(JsonObject message)
    {
        await _sendLock.WaitAsync();
        try
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
