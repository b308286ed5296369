using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

/// <summary>
/// Discord's REST API and Gateway on 127.0.0.1, as far as a slash-command bot sees them. <c>GET gateway/bot</c>
/// checks <c>Bot &lt;token&gt;</c>; the WebSocket at <c>/gateway</c> (identify) and <c>/resume</c> (READY's
/// <c>resume_gateway_url</c>, so resumes are told apart) checks <c>v=10&amp;encoding=json</c>, sends Hello, checks
/// Identify and Resume, numbers dispatches with <c>s</c>, replays what a resumed session missed, ACKs heartbeats
/// unless told not to, and closes with Discord's codes (4002 for a payload over 4096 bytes, 4004 for a wrong token,
/// 4007 for a bad resume seq). Tests drive each connection: dispatches, op 1, op 7, op 9, close codes. Interaction
/// callbacks, webhook follow-ups and edits and channel posts are recorded and answered with success.
/// </summary>
public sealed class FakeDiscordGateway : IAsyncDisposable
{
    public const string Token = "fake-bot-token.abc";
    public const string ApplicationId = "111111111111111111";

    private readonly WebApplication _app;
    private readonly string _origin;
    private int _sessions;

    private FakeDiscordGateway(WebApplication app, string origin) => (_app, _origin) = (app, origin);

    public Uri ApiBaseUrl => new($"http://{_origin}/api/v10/");

    public Uri GatewayUrl => new($"ws://{_origin}/gateway");

    public Uri ResumeUrl => new($"ws://{_origin}/resume");

    /// <summary>Long enough that a loaded test machine does not look like a zombie connection; heartbeat tests shorten it.</summary>
    public int HeartbeatIntervalMs { get; set; } = 1000;

    public bool AckHeartbeats { get; set; } = true;

    /// <summary>What <c>gateway/bot</c> answers.</summary>
    public int Shards { get; set; } = 1;

    public int SessionStartsRemaining { get; set; } = 999;

    public int SessionStartResetAfterMs { get; set; } = 14_400_000;

    /// <summary>URLs <c>gateway/bot</c> answers with, one per request, before it falls back to <see cref="GatewayUrl"/>.</summary>
    public ConcurrentQueue<string> GatewayBotUrls { get; } = new();

    /// <summary>The bot token <c>gateway/bot</c> accepts (else 401).</summary>
    public string AcceptedToken { get; set; } = Token;

    /// <summary>The bot token Identify and Resume accept (else close 4004): a token reset while connected.</summary>
    public string GatewayAcceptedToken { get; set; } = Token;

    public ConcurrentQueue<RecordedRequest> HttpRequests { get; } = new();

    /// <summary>How long an interaction callback takes to be answered (the network and Discord): zero unless a test sets it.</summary>
    public TimeSpan CallbackLatency { get; set; }

    public ConcurrentQueue<FakeGatewayConnection> Connections { get; } = new();

    public ConcurrentDictionary<string, FakeGatewaySession> Sessions { get; } = new();

    public static async Task<FakeDiscordGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseWebSockets();
        FakeDiscordGateway? fake = null;
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path is "/gateway" or "/resume" && context.WebSockets.IsWebSocketRequest)
            {
                await fake!.AcceptAsync(context);
                return;
            }
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var recorded = new RecordedRequest(context.Request.Method, path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTimeOffset.UtcNow);
            fake!.HttpRequests.Enqueue(recorded);
            await fake.AnswerHttpAsync(context, recorded);
        });
        await app.StartAsync();
        var origin = new Uri(app.Urls.First()).Authority;
        fake = new FakeDiscordGateway(app, origin);
        return fake;
    }

    /// <summary>A slash-command interaction as Discord sends it in INTERACTION_CREATE's <c>d</c>.</summary>
    public static JsonObject Interaction(string id) => new()
    {
        ["id"] = id,
        ["application_id"] = ApplicationId,
        ["type"] = 2,
        ["token"] = "interaction-token-" + id,
        ["version"] = 1,
        ["guild_id"] = "222",
        ["channel_id"] = "333",
        ["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = "444", ["username"] = "oncall" }, ["roles"] = new JsonArray(), ["permissions"] = "2147483647" },
        ["data"] = new JsonObject { ["id"] = "555", ["type"] = 1, ["name"] = "pg", ["options"] = new JsonArray(new JsonObject { ["type"] = 1, ["name"] = "help" }) },
    };

    public FakeGatewayConnection Connection(int number) => Connections.Single(c => c.Number == number);

    /// <summary>Waits (bounded) for the <paramref name="number"/>th WebSocket connection (1-based).</summary>
    public async Task<FakeGatewayConnection> WaitForConnectionAsync(int number, TimeSpan? timeout = null)
    {
        await Until(() => Connections.Any(c => c.Number == number), timeout, $"connection {number} (seen {Connections.Count})");
        return Connection(number);
    }

    internal static async Task Until(Func<bool> condition, TimeSpan? timeout, string what)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }
            await Task.Delay(10);
        }
    }

    private async Task AnswerHttpAsync(HttpContext context, RecordedRequest request)
    {
        if (request.Method == "GET" && request.Path == "/api/v10/gateway/bot")
        {
            if (!request.Headers.TryGetValue("Authorization", out var auth) || auth != "Bot " + AcceptedToken)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { message = "401: Unauthorized", code = 0 });
                return;
            }
            await context.Response.WriteAsJsonAsync(new
            {
                url = GatewayBotUrls.TryDequeue(out var next) ? next : GatewayUrl.AbsoluteUri.TrimEnd('/'),
                shards = Shards,
                session_start_limit = new { total = 1000, remaining = SessionStartsRemaining, reset_after = SessionStartResetAfterMs, max_concurrency = 1 },
            });
            return;
        }
        if (request.Method == "POST" && request.Path.StartsWith("/api/v10/interactions/", StringComparison.Ordinal) && request.Path.EndsWith("/callback", StringComparison.Ordinal))
        {
            await Task.Delay(CallbackLatency);
            context.Response.StatusCode = 204;
            return;
        }
        // Follow-ups, edits of the original response and channel posts (the audit channel), as the real API answers them.
        if (request.Path.StartsWith("/api/v10/webhooks/", StringComparison.Ordinal)
            || (request.Method == "POST" && request.Path.StartsWith("/api/v10/channels/", StringComparison.Ordinal)))
        {
            await context.Response.WriteAsJsonAsync(new { id = "19" + Random.Shared.NextInt64(10_000_000_000_000_000, 99_999_999_999_999_999) });
            return;
        }
        context.Response.StatusCode = 404;
    }

    private async Task AcceptAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeGatewayConnection(this, socket, Connections.Count + 1, context.Request.Path.Value!, context.Request.QueryString.Value ?? "");
        Connections.Enqueue(connection);
        await connection.RunAsync(context.RequestAborted);
    }

    internal FakeGatewaySession NewSession()
    {
        var session = new FakeGatewaySession("session-" + Interlocked.Increment(ref _sessions));
        Sessions[session.Id] = session;
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in Connections)
        {
            connection.Abort();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var connection in Connections)
        {
            connection.Dispose();
        }
    }
}

/// <summary>A Gateway session on the fake: its dispatches, numbered, kept for replay on Resume.</summary>
public sealed class FakeGatewaySession(string id)
{
    private readonly List<(int S, string T, JsonNode D)> _events = [];

    public string Id { get; } = id;

    public int LastSequence { get; private set; }

    public FakeGatewayConnection? Current { get; internal set; }

    public (int S, string Payload) Record(string t, JsonNode d)
    {
        lock (_events)
        {
            var s = ++LastSequence;
            _events.Add((s, t, d.DeepClone()));
            return (s, Payload(s, t, d));
        }
    }

    /// <summary>A dispatch the bot misses (it is "sent" while the bot is away): it comes back in the replay after a Resume.</summary>
    public int Miss(string t, JsonNode d) => Record(t, d).S;

    internal IReadOnlyList<string> After(int sequence)
    {
        lock (_events)
        {
            return [.. _events.Where(e => e.S > sequence).Select(e => Payload(e.S, e.T, e.D))];
        }
    }

    private static string Payload(int s, string t, JsonNode d) =>
        new JsonObject { ["op"] = 0, ["s"] = s, ["t"] = t, ["d"] = d.DeepClone() }.ToJsonString();
}

/// <summary>What the bot sent on one connection.</summary>
public sealed record GatewayFrame(int Op, JsonObject Payload, DateTimeOffset At)
{
    public JsonNode? D => Payload["d"];
}
