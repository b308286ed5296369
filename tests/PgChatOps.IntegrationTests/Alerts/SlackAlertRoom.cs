using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;

namespace PgChatOps.IntegrationTests.Alerts;

/// <summary>
/// The real app (<c>serve</c>) with watch rules alerting into a fake Slack channel. The fake answers
/// chat.postMessage with a ts of its own, so updates and thread replies can be told apart, and clicks are sent
/// on the very buttons the bot posted, with the message Slack echoes in block_actions.
/// </summary>
internal sealed class SlackAlertRoom : IAsyncDisposable
{
    public const string Channel = "C-ALERTS";
    public const string OtherChannel = "C-OTHER";
    public const string Allowed = "UALLOWED";
    public const string Stranger = "USTRANGER";

    private readonly bool _ownsSlack;

    private SlackAlertRoom(TestApp app, FakeHttpServer slack, PostedMessages posted, bool ownsSlack, string stateDatabase)
    {
        App = app;
        Slack = slack;
        Posted = posted;
        _ownsSlack = ownsSlack;
        StateDatabase = stateDatabase;
        Http = app.CreateClient();
        Client = new SlackClient(Http, SlackFixture.Secret);
    }

    public TestApp App { get; }
    public FakeHttpServer Slack { get; }
    public PostedMessages Posted { get; }
    public HttpClient Http { get; }
    public SlackClient Client { get; }
    public string StateDatabase { get; }

    /// <summary>A fake Slack whose chat.postMessage answers carry a fresh ts each.</summary>
    public static async Task<(FakeHttpServer Slack, PostedMessages Posted)> FakeSlackAsync()
    {
        var slack = await FakeHttpServer.StartAsync();
        var posted = new PostedMessages();
        slack.Handler = r =>
        {
            if (r.Path != "/api/chat.postMessage")
            {
                return FakeResponse.Json("""{"ok":true}""");
            }
            var ts = posted.Add(r);
            return FakeResponse.Json(new JsonObject { ["ok"] = true, ["channel"] = JsonNode.Parse(r.Body)!["channel"]!.GetValue<string>(), ["ts"] = ts }.ToJsonString());
        };
        return (slack, posted);
    }

    /// <param name="rules">Each rule's keys, as <see cref="Watch.WatchHost.Rule"/> writes them.</param>
    /// <param name="shared">Another replica's fake Slack, to post into the same channel.</param>
    public static async Task<SlackAlertRoom> StartAsync(
        IReadOnlyList<IReadOnlyDictionary<string, string>> rules,
        string? targetConnectionString = null,
        string? stateDatabase = null,
        IDictionary<string, string?>? settings = null,
        (FakeHttpServer Slack, PostedMessages Posted)? shared = null,
        TimeSpan? editGap = null)
    {
        var (slack, posted) = shared ?? await FakeSlackAsync();
        var all = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Slack:SigningSecret"] = SlackFixture.Secret,
            ["Slack:BotToken"] = "xoxb-test-token",
            ["Slack:ApiBaseUrl"] = slack.BaseUrl + "api/",
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = Channel,
            ["Access:Rules:0:Users:0"] = Allowed,
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "cancel",
            ["Access:Rules:0:Allow:2"] = "terminate",
            // The same user may act in another channel too: a click there is refused by the alert's channel, not by access.
            ["Access:Rules:1:Platform"] = "slack",
            ["Access:Rules:1:Channels:0"] = OtherChannel,
            ["Access:Rules:1:Users:0"] = Allowed,
            ["Access:Rules:1:Allow:0"] = "view",
            ["Access:Rules:1:Allow:1"] = "terminate",
        };
        for (var i = 0; i < rules.Count; i++)
        {
            foreach (var (k, v) in rules[i])
            {
                all[$"Watch:Rules:{i}:{k}"] = v;
            }
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }
        stateDatabase ??= await TestDatabase.CreateDatabaseAsync("state");
        var gap = editGap ?? TimeSpan.FromMilliseconds(300);
        var app = await TestApp.CreateAsync(all, s => s.Replace(ServiceDescriptor.Singleton(new AlertPacing(gap))),
            stateDatabase: stateDatabase, targetConnectionString: targetConnectionString);
        return new SlackAlertRoom(app, slack, posted, shared is null, stateDatabase);
    }

    /// <summary>The alert messages posted in the alert channel (not thread replies), with the ts the fake gave each.</summary>
    public IReadOnlyList<(JsonObject Message, string Ts)> Alerts(string channel = Channel) =>
        [.. Posted.All.Where(p => p.Message["channel"]?.GetValue<string>() == channel && p.Message["thread_ts"] is null)];

    public IReadOnlyList<JsonObject> ThreadReplies(string ts) =>
        [.. Posted.All.Where(p => p.Message["thread_ts"]?.GetValue<string>() == ts).Select(p => p.Message)];

    public IReadOnlyList<JsonObject> Updates(string ts) =>
        [.. Slack.Requests.Where(r => r.Path == "/api/chat.update").Select(r => JsonNode.Parse(r.Body)!.AsObject()).Where(u => u["ts"]?.GetValue<string>() == ts)];

    /// <summary>Waits, bounded, until <paramref name="done"/> holds; returns how long that took.</summary>
    public static async Task<TimeSpan> WaitAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }
            await Task.Delay(20);
        }
        return clock.Elapsed;
    }

    public async Task<(JsonObject Message, string Ts)> AlertAsync(TimeSpan timeout)
    {
        await WaitAsync(() => Alerts().Count > 0, timeout, "an alert message in " + Channel);
        return Alerts()[0];
    }

    /// <summary>
    /// A click, as Slack sends it, on the button with <paramref name="actionId"/> of the message as it was last
    /// posted or updated. <paramref name="value"/> forges the button's value. Returns the response_url's path.
    /// </summary>
    public async Task<string> ClickAsync(string user, JsonObject message, string ts, string actionId, string? value = null, string channel = Channel)
    {
        var (blockId, button) = Button(message, actionId);
        var responseName = "response/" + Guid.NewGuid().ToString("N");
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["team"] = new JsonObject { ["id"] = SlackClient.Team, ["domain"] = "test" },
            ["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["team_id"] = SlackClient.Team },
            ["api_app_id"] = "A0TEST",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = ts, ["channel_id"] = channel, ["is_ephemeral"] = false },
            ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "alerts" },
            ["message"] = new JsonObject { ["type"] = "message", ["ts"] = ts, ["text"] = message["text"]?.DeepClone(), ["blocks"] = message["blocks"]!.DeepClone() },
            ["response_url"] = Slack.BaseUrl + responseName,
            ["trigger_id"] = SlackClient.NewTriggerId(),
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId,
                ["block_id"] = blockId,
                ["value"] = value ?? button["value"]!.GetValue<string>(),
                ["type"] = "button",
                ["text"] = button["text"]!.DeepClone(),
                ["action_ts"] = "1700000001.000200",
            }),
        };
        using var response = await Client.SendFormAsync("/slack/interactions", new Dictionary<string, string> { ["payload"] = payload.ToJsonString() });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return "/" + responseName;
    }

    public static (string BlockId, JsonObject Button) Button(JsonObject message, string actionId)
    {
        var blocks = message["blocks"]!.AsArray().OfType<JsonObject>().ToList();
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i]["elements"] is JsonArray elements
                && elements.OfType<JsonObject>().FirstOrDefault(e => e["action_id"]?.GetValue<string>() == actionId) is { } button)
            {
                return (blocks[i]["block_id"]?.GetValue<string>() ?? "b" + i.ToString(CultureInfo.InvariantCulture), button);
            }
        }
        throw new InvalidOperationException($"No button {actionId} in the message: {message.ToJsonString()}");
    }

    public static IReadOnlyList<string> ActionIds(JsonObject message) =>
        [.. message["blocks"]!.AsArray().OfType<JsonObject>()
            .Where(b => b["type"]?.GetValue<string>() == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>())
            .Select(e => e["action_id"]!.GetValue<string>())];

    public async Task<JsonObject> ResponseAsync(string path) =>
        JsonNode.Parse((await Slack.WaitForAsync(r => r.Path == path, TimeSpan.FromSeconds(20))).Body)!.AsObject();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        if (_ownsSlack)
        {
            await Slack.DisposeAsync();
        }
    }
}

/// <summary>Every chat.postMessage the fake Slack answered, with the ts it gave.</summary>
internal sealed class PostedMessages
{
    private readonly ConcurrentQueue<(JsonObject Message, string Ts)> _all = new();
    private int _next;

    public IReadOnlyList<(JsonObject Message, string Ts)> All => [.. _all];

    public string Add(RecordedRequest request)
    {
        var ts = "1700000000." + Interlocked.Increment(ref _next).ToString("D6", CultureInfo.InvariantCulture);
        _all.Enqueue((JsonNode.Parse(request.Body)!.AsObject(), ts));
        return ts;
    }
}
