using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Operations;
using PgChatOps.Slack.SocketMode;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

/// <summary>
/// The real app host with <c>Slack:Mode=socket</c>, against a fake Slack that plays Socket Mode and the Web API on one
/// host (so response_urls on it are trusted, as hooks.slack.com is). Commands and clicks go in as envelopes, exactly
/// as Slack sends them; answers come back in acknowledgements, response_url posts and chat.postMessage calls.
/// </summary>
internal sealed class SocketModeApp : IAsyncDisposable
{
    public const string AuditChannel = "CAUDIT";
    public const string BotToken = "xoxb-socket-test";
    public const string Team = "T0TEST";

    private SocketModeApp(FakeSlackSocketMode slack, TestApp app, string stateDatabase, CapturedLogs logs)
    {
        Slack = slack;
        App = app;
        StateDatabase = stateDatabase;
        Logs = logs;
    }

    public FakeSlackSocketMode Slack { get; }
    public TestApp App { get; }
    public string StateDatabase { get; }
    public CapturedLogs Logs { get; }

    /// <param name="waitForConnection">Wait until the app's socket has said hello (default).</param>
    public static async Task<SocketModeApp> StartAsync(
        IDictionary<string, string?>? settings = null, string? targetConnectionString = null, bool waitForConnection = true,
        Action<FakeSlackSocketMode>? arrange = null)
    {
        var slack = await FakeSlackSocketMode.StartAsync();
        arrange?.Invoke(slack);
        var all = new Dictionary<string, string?>
        {
            ["Slack:Mode"] = "socket",
            ["Slack:AppToken"] = FakeSlackSocketMode.AppToken,
            ["Slack:BotToken"] = BotToken,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Slack:AuditChannel"] = AuditChannel,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }
        var logs = new CapturedLogs();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var app = await TestApp.CreateAsync(all, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            // One connection and quick reconnects, so that a test knows which socket is the app's.
            s.Replace(ServiceDescriptor.Singleton(new SocketModeSettings
            {
                AppToken = FakeSlackSocketMode.AppToken,
                ApiBaseUrl = slack.ApiBaseUrl,
                Connections = 1,
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
                ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            }));
        }, stateDatabase: state, targetConnectionString: targetConnectionString);
        var started = new SocketModeApp(slack, app, state, logs);
        if (waitForConnection)
        {
            await started.ConnectedAsync(1);
        }
        return started;
    }

    /// <summary>The fake's socket with this number, once the app has heard its hello.</summary>
    public async Task<FakeSlackSocket> ConnectedAsync(int socket)
    {
        var accepted = await Slack.WaitForSocketAsync(socket);
        await accepted.HelloSent.WaitAsync(TimeSpan.FromSeconds(15));
        await App.Services.GetRequiredService<SlackSocketModeService>().WhenConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        return accepted;
    }

    /// <summary>An absolute response_url on the fake Slack, unique per name.</summary>
    public string ResponseUrl(string name) => new Uri(Slack.ApiBaseUrl, "/response/" + name).ToString();

    /// <summary>A <c>/pg</c> slash command's payload as Socket Mode carries it: the HTTP form's fields, as JSON strings.</summary>
    public JsonObject Command(string channel, string user, string text, string responseUrlName) => new()
    {
        ["token"] = "deprecated",
        ["team_id"] = Team,
        ["team_domain"] = "test",
        ["channel_id"] = channel,
        ["channel_name"] = "ops",
        ["user_id"] = user,
        ["user_name"] = user.ToLowerInvariant(),
        ["command"] = "/pg",
        ["text"] = text,
        ["api_app_id"] = "A111",
        ["is_enterprise_install"] = "false",
        ["response_url"] = ResponseUrl(responseUrlName),
        ["trigger_id"] = SlackClient.NewTriggerId(),
    };

    /// <summary>A <c>block_actions</c> payload for a click on one of the bot's buttons.</summary>
    public JsonObject Click(string channel, string user, string actionId, Guid id, string responseUrlName, string messageTs) => new()
    {
        ["type"] = "block_actions",
        ["team"] = new JsonObject { ["id"] = Team, ["domain"] = "test" },
        ["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["team_id"] = Team },
        ["api_app_id"] = "A111",
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channel, ["is_ephemeral"] = false },
        ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "ops" },
        ["message"] = new JsonObject { ["type"] = "message", ["ts"] = messageTs, ["text"] = "confirmation" },
        ["response_url"] = ResponseUrl(responseUrlName),
        ["trigger_id"] = SlackClient.NewTriggerId(),
        ["actions"] = new JsonArray(new JsonObject
        {
            ["action_id"] = actionId,
            ["block_id"] = "b1",
            ["value"] = id.ToString(),
            ["type"] = "button",
            ["action_ts"] = "1700000001.000200",
        }),
    };

    /// <summary>An Events API <c>app_mention</c> callback.</summary>
    public static JsonObject Mention(string channel, string user, string text, string ts) => new()
    {
        ["token"] = "deprecated",
        ["team_id"] = Team,
        ["api_app_id"] = "A111",
        ["event"] = new JsonObject
        {
            ["type"] = "app_mention",
            ["user"] = user,
            ["text"] = "<@UBOT> " + text,
            ["ts"] = ts,
            ["channel"] = channel,
            ["event_ts"] = ts,
        },
        ["type"] = "event_callback",
        ["event_id"] = "Ev" + Guid.NewGuid().ToString("N"),
        ["event_time"] = 1700000000,
        ["authorizations"] = new JsonArray(new JsonObject { ["team_id"] = Team, ["user_id"] = "UBOT", ["is_bot"] = true }),
    };

    /// <summary>
    /// The answer a user sees to a command pushed as <paramref name="envelopeId"/>: the acknowledgement's payload, or,
    /// when that was only the "working on it" note, what then came through the response_url.
    /// </summary>
    public async Task<JsonObject> AnswerAsync(string envelopeId, string responseUrlName)
    {
        var ack = await Slack.WaitForAckAsync(envelopeId);
        Assert.NotNull(ack.Payload);
        if (!IsWorkingNote(ack.Payload!))
        {
            return ack.Payload!;
        }
        return await PostedToAsync("/response/" + responseUrlName);
    }

    public static bool IsWorkingNote(JsonObject message) =>
        message["text"]?.GetValue<string>().StartsWith("Working on it", StringComparison.Ordinal) == true;

    /// <summary>The JSON body of the first request to a path on the fake Slack (bounded wait).</summary>
    public async Task<JsonObject> PostedToAsync(string path, Func<JsonObject, bool>? match = null, TimeSpan? timeout = null)
    {
        var request = await Slack.WaitForRequestAsync(r => r.Path == path && (match is null || match(JsonNode.Parse(r.Body)!.AsObject())), timeout);
        return JsonNode.Parse(request.Body)!.AsObject();
    }

    public IEnumerable<JsonObject> Posted(string path) =>
        Slack.Requests.Where(r => r.Path == path).Select(r => JsonNode.Parse(r.Body)!.AsObject());

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
