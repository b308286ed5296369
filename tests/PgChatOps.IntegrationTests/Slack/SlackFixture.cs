using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Slack;

/// <summary>One test's app: the real host, a fake Slack (Web API and response_url), signed requests.</summary>
internal sealed class SlackFixture : IAsyncDisposable
{
    public const string Secret = "test-signing-secret-0123456789abcdef";
    public const string AuditChannel = "CAUDIT";

    private SlackFixture(TestApp app, FakeHttpServer slack, HttpClient http, string stateDatabase, TimeProvider? time)
    {
        App = app;
        Slack = slack;
        Http = http;
        StateDatabase = stateDatabase;
        Client = new SlackClient(http, Secret, time is null ? null : time.GetUtcNow);
    }

    public TestApp App { get; }
    public FakeHttpServer Slack { get; }
    public HttpClient Http { get; }
    public SlackClient Client { get; }
    public string StateDatabase { get; }

    /// <summary>An absolute response_url on the fake server, unique per use.</summary>
    public string ResponseUrl(string name) => $"{Slack.BaseUrl}response/{name}";

    /// <param name="time">The app's clock (e.g. a FakeTimeProvider); requests are then signed with its time.</param>
    public static async Task<SlackFixture> StartAsync(
        IDictionary<string, string?>? settings = null, string? targetConnectionString = null, string? signingSecret = Secret, TimeProvider? time = null,
        string? stateDatabase = null)
    {
        var slack = await FakeHttpServer.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = signingSecret,
            ["Slack:BotToken"] = "xoxb-test-token",
            ["Slack:ApiBaseUrl"] = slack.BaseUrl + "api/",
            ["Slack:AuditChannel"] = AuditChannel,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }
        var state = stateDatabase ?? await TestDatabase.CreateDatabaseAsync("state");
        var app = await TestApp.CreateAsync(all, time: time, stateDatabase: state, targetConnectionString: targetConnectionString);
        return new SlackFixture(app, slack, app.CreateClient(), state, time);
    }

    /// <summary>The JSON body of the first request to a path on the fake server (bounded wait).</summary>
    public async Task<JsonObject> PostedToAsync(string path, Func<JsonObject, bool>? match = null, TimeSpan? timeout = null)
    {
        var request = await Slack.WaitForAsync(r => r.Path == path && (match is null || match(JsonNode.Parse(r.Body)!.AsObject())), timeout ?? TimeSpan.FromSeconds(20));
        return JsonNode.Parse(request.Body)!.AsObject();
    }

    public IEnumerable<JsonObject> Posted(string path) =>
        Slack.Requests.Where(r => r.Path == path).Select(r => JsonNode.Parse(r.Body)!.AsObject());

    public Task<long> AuditCountAsync(string actorId) =>
        TestDatabase.ScalarAsync<long>("SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @a", StateDatabase, ("a", actorId));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
