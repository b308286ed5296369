using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

/// <summary>
/// Slack's side of Socket Mode on 127.0.0.1: <c>POST /api/apps.connections.open</c> checks the Bearer app token and
/// hands out a one-use <c>ws://…/link/?ticket=…</c>; the WebSocket says hello, lets a test push envelopes and
/// <c>disconnect</c> messages or drop the socket, and records every acknowledgement with its time, counting as a
/// miss any envelope not acknowledged within Slack's 3 seconds. Every other request (the Web API, a response_url on
/// this host) is recorded in <see cref="Requests"/> and answered <c>{"ok":true,"ts":…}</c>, as Slack's would be.
/// </summary>
internal sealed class FakeSlackSocketMode : IAsyncDisposable
{
    public const string AppToken = "xapp-1-A111-222-fake";
    public static readonly TimeSpan AckDeadline = TimeSpan.FromSeconds(3);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _tickets = new();
    private readonly List<FakeSlackSocket> _sockets = [];
    private readonly List<PushedEnvelope> _pushes = [];
    private readonly ConcurrentQueue<string> _misses = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _socketsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _acksChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeSlackSocketMode(WebApplication app) => _app = app;

    public Uri ApiBaseUrl { get; private set; } = null!;

    public ConcurrentQueue<OpenCall> OpenCalls { get; } = new();

    public ConcurrentQueue<RecordedAck> Acks { get; } = new();

    /// <summary>Web API calls and response_url posts, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    private int _messages;

    /// <summary>Envelope ids acknowledged late, or not at all, by Slack's 3-second rule.</summary>
    public IReadOnlyCollection<string> Misses => _misses;

    /// <summary>When set, overrides the answer to apps.connections.open (return null for the normal answer).</summary>
    public Func<OpenCall, FakeAnswer?>? ScriptOpen { get; set; }

    /// <summary>When set, new sockets wait for it before saying hello.</summary>
    public TaskCompletionSource? HoldHello { get; set; }

    /// <summary>WebSocket handshakes with a ticket that was never issued or was used already.</summary>
    public int RejectedHandshakes;

    public IReadOnlyList<FakeSlackSocket> Sockets
    {
        get
        {
            lock (_gate)
            {
                return [.. _sockets];
            }
        }
    }

    public static async Task<FakeSlackSocketMode> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeSlackSocketMode(app);
        app.UseWebSockets();
        app.MapPost("/api/apps.connections.open", fake.OpenAsync);
        app.Map("/link", fake.LinkAsync);
        // Not MapFallback(handler): its pattern skips paths that look like files, and every Web API method has a dot.
        app.MapFallback("{**path}", fake.WebApiAsync);
        await app.StartAsync();
        fake.ApiBaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/api/");
        return fake;
    }

    private async Task OpenAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var call = new OpenCall(context.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync(), DateTimeOffset.UtcNow);
        var answer = ScriptOpen?.Invoke(call);
        if (answer is null && call.Authorization != "Bearer " + AppToken)
        {
            answer = FakeAnswer.Json("""{"ok":false,"error":"invalid_auth"}""");
        }
        if (answer is null)
        {
            var ticket = Guid.NewGuid().ToString("N");
            _tickets[ticket] = false;
            var url = $"ws://{context.Request.Host}/link/?ticket={ticket}";
            call = call with { Url = url };
            answer = FakeAnswer.Json(new JsonObject { ["ok"] = true, ["url"] = url }.ToJsonString());
        }
        OpenCalls.Enqueue(call);
        context.Response.StatusCode = (int)answer.Status;
        foreach (var (k, v) in answer.Headers)
        {
            context.Response.Headers[k] = v;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body);
    }

    private async Task WebApiAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        Requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            DateTimeOffset.UtcNow));
        context.Response.ContentType = "application/json";
        var ts = $"1700000100.{Interlocked.Increment(ref _messages):000000}";
        await context.Response.WriteAsync(new JsonObject { ["ok"] = true, ["ts"] = ts }.ToJsonString());
    }

    /// <summary>Waits (bounded) until a recorded Web API call or response_url post matches.</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (Requests.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"No matching request arrived. Seen: {string.Join(", ", Requests.Select(r => r.Method + " " + r.Path))}");
    }

    private async Task LinkAsync(HttpContext context)
    {
        var ticket = context.Request.Query["ticket"].ToString();
        if (!context.WebSockets.IsWebSocketRequest || !_tickets.TryUpdate(ticket, true, false))
        {
            Interlocked.Increment(ref RejectedHandshakes);
            context.Response.StatusCode = (int)HttpStatusCode.Forbidden;
            return;
        }
        using var ws = await context.WebSockets.AcceptWebSocketAsync();
        FakeSlackSocket socket;
        lock (_gate)
        {
            socket = new FakeSlackSocket(this, _sockets.Count + 1, ticket, ws, context);
            _sockets.Add(socket);
            _socketsChanged.TrySetResult();
            _socketsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (HoldHello is { } hold)
        {
            await hold.Task;
        }
        await socket.RunAsync(Sockets.Count(s => !s.Ended.IsCompleted));
    }

    /// <summary>The socket with this number (1 = the first ever accepted), once it has been accepted.</summary>
    public async Task<FakeSlackSocket> WaitForSocketAsync(int number, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_sockets.Count >= number)
                {
                    return _sockets[number - 1];
                }
                changed = _socketsChanged.Task;
            }
            await changed.WaitAsync(bound.Token);
        }
    }

    public async Task<RecordedAck> WaitForAckAsync(string envelopeId, int occurrence = 1, TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = Acks.Where(a => a.EnvelopeId == envelopeId).Skip(occurrence - 1).FirstOrDefault();
                if (found is not null)
                {
                    return found;
                }
                changed = _acksChanged.Task;
            }
            await changed.WaitAsync(bound.Token);
        }
    }

    internal void Pushed(string envelopeId)
    {
        var push = new PushedEnvelope(envelopeId, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _pushes.Add(push);
        }
        _ = Task.Delay(AckDeadline).ContinueWith(_ =>
        {
            if (!push.Acked)
            {
                _misses.Enqueue(envelopeId);
            }
        }, TaskScheduler.Default);
    }

    internal void Acked(RecordedAck ack)
    {
        lock (_gate)
        {
            var push = _pushes.FirstOrDefault(p => p.EnvelopeId == ack.EnvelopeId && !p.Acked);
            if (push is not null)
            {
                push.Acked = true;
                ack = ack with { Delay = ack.At - push.At };
                if (ack.Delay > AckDeadline)
                {
                    _misses.Enqueue(ack.EnvelopeId);
                }
            }
            Acks.Enqueue(ack);
            _acksChanged.TrySetResult();
            _acksChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in Sockets)
        {
            socket.Drop();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var socket in Sockets)
        {
            socket.Dispose();
        }
    }

    private sealed class PushedEnvelope(string envelopeId, DateTimeOffset at)
    {
        public string EnvelopeId { get; } = envelopeId;
        public DateTimeOffset At { get; } = at;
        public bool Acked { get; set; }
    }
}

internal sealed record OpenCall(string Authorization, string Body, DateTimeOffset At, string? Url = null);

/// <summary>An acknowledgement as Slack received it; <see cref="Delay"/> is from the push of that envelope.</summary>
internal sealed record RecordedAck(int Socket, string EnvelopeId, JsonObject? Payload, JsonObject Raw, DateTimeOffset At, TimeSpan Delay = default);

internal sealed record FakeAnswer(HttpStatusCode Status, string Body)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static FakeAnswer Json(string body, HttpStatusCode status = HttpStatusCode.OK) => new(status, body);
}
