using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Slack;

namespace PgChatOps.IntegrationTests.Slack;

public sealed class SlackRequestTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static Dictionary<string, string?> ViewAndKill(string channel = "C123") => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = channel,
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
    };

    [Fact]
    public async Task Unsigned_badly_signed_and_stale_requests_get_401_and_do_nothing()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(ViewAndKill());
        var body = $"team_id=T1&channel_id=C123&user_id=UEVE&user_name=eve&command=%2Fpg&text=kill+{victim.Pid}&response_url={Uri.EscapeDataString(slack.ResponseUrl("x"))}";
        var form = "application/x-www-form-urlencoded";

        var wrongSecret = SlackSignatureVerifier.Sign("not-the-secret", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), System.Text.Encoding.UTF8.GetBytes(body));
        var stale = DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds();
        foreach (var path in new[] { "/slack/commands", "/slack/interactions", "/slack/events" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await slack.Client.SendAsync(path, body, form, signatureOverride: wrongSecret)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await slack.Client.SendAsync(path, body, form, timestampOverride: stale)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await slack.Client.SendAsync(path, body, form, signatureOverride: "")).StatusCode);
            using var unsigned = new StringContent(body, System.Text.Encoding.UTF8, form);
            Assert.Equal(HttpStatusCode.Unauthorized, (await slack.Http.PostAsync(new Uri(path, UriKind.Relative), unsigned)).StatusCode);
        }

        await slack.App.DetachedWorkSettledAsync();
        Assert.Empty(slack.Slack.Requests);
        Assert.Equal(0, await slack.AuditCountAsync("UEVE"));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Without_a_signing_secret_every_request_is_refused()
    {
        // Slack not configured at all (with a bot token but no secret the app would not even start):
        // the endpoints still exist and must refuse everything rather than trust unsigned requests.
        var settings = ViewAndKill();
        settings["Slack:BotToken"] = "";
        settings["Slack:AuditChannel"] = "";
        await using var slack = await SlackFixture.StartAsync(settings, signingSecret: "");
        var client = new SlackClient(slack.Http, "");
        var response = await client.CommandAsync("C123", "UANY", "help", slack.ResponseUrl("x"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var events = await client.SendJsonAsync("/slack/events", new JsonObject { ["type"] = "url_verification", ["challenge"] = "abc" });
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_without_effect()
    {
        await using var slack = await SlackFixture.StartAsync(ViewAndKill());
        var huge = "team_id=T1&channel_id=C123&user_id=UBIG&command=%2Fpg&text=" + new string('a', SlackCommands.MaxBody);
        var response = await slack.Client.SendAsync("/slack/commands", huge, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await slack.AuditCountAsync("UBIG"));
    }

    [Fact]
    public async Task Url_verification_and_ssl_check_are_answered()
    {
        await using var slack = await SlackFixture.StartAsync();
        var challenge = await slack.Client.SendJsonAsync("/slack/events", new JsonObject
        {
            ["token"] = "x", ["challenge"] = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", ["type"] = "url_verification",
        });
        Assert.Equal(HttpStatusCode.OK, challenge.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", JsonNode.Parse(await challenge.Content.ReadAsStringAsync())!["challenge"]!.GetValue<string>());

        using var ssl = new StringContent("ssl_check=1&token=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.OK, (await slack.Http.PostAsync(new Uri("/slack/commands", UriKind.Relative), ssl)).StatusCode);
    }

    [Fact]
    public async Task A_command_is_acknowledged_within_3_seconds_while_the_target_hangs_and_the_error_follows_at_response_url()
    {
        // A "database" that accepts connections and never says a word.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptTcpClientAsync());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Listener stopped.
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var slack = await SlackFixture.StartAsync(ViewAndKill(),
            targetConnectionString: $"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Database=nothing;Pooling=false");

        var watch = Stopwatch.StartNew();
        var response = await slack.Client.CommandAsync("C123", "UWAIT", "sessions", slack.ResponseUrl("slow"));
        var acknowledged = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(acknowledged < TimeSpan.FromSeconds(3), $"acknowledged after {acknowledged}");
        var ack = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", ack["response_type"]!.GetValue<string>());
        Assert.Contains("Working on it", ack["text"]!.GetValue<string>(), StringComparison.Ordinal);

        var error = await slack.PostedToAsync("/response/slow", timeout: TimeSpan.FromSeconds(30));
        output.WriteLine($"acknowledged after {acknowledged.TotalMilliseconds:0} ms; the error reached response_url after {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal("ephemeral", error["response_type"]!.GetValue<string>());
        Assert.Contains("Could not get an answer from test", error["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("timed out", error["text"]!.GetValue<string>(), StringComparison.Ordinal);
        listener.Stop();
        foreach (var c in accepted)
        {
            c.Dispose();
        }
    }

    [Fact]
    public async Task An_app_mention_is_answered_in_its_thread()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(ViewAndKill("CMENTION"));

        var top = await slack.Client.MentionAsync("CMENTION", "UASKER", $"sessions user={sessions.Role}", ts: "1700000100.000100");
        Assert.Equal(HttpStatusCode.OK, top.StatusCode);
        var reply = await slack.PostedToAsync("/api/chat.postMessage", m => m["thread_ts"]?.GetValue<string>() == "1700000100.000100");
        Assert.Equal("CMENTION", reply["channel"]!.GetValue<string>());
        Assert.Contains(idle.Pid.ToString(CultureInfo.InvariantCulture), reply.ToJsonString(), StringComparison.Ordinal);

        // Inside a thread: the reply goes to the thread's parent, not to the mention.
        await slack.Client.MentionAsync("CMENTION", "UASKER", "sessions user=nobody_at_all", ts: "1700000200.000300", threadTs: "1700000200.000100");
        await slack.PostedToAsync("/api/chat.postMessage", m => m["thread_ts"]?.GetValue<string>() == "1700000200.000100");

        // Help is for the asker only: ephemeral, in the thread.
        await slack.Client.MentionAsync("CMENTION", "UASKER", "help", ts: "1700000300.000100");
        var help = await slack.PostedToAsync("/api/chat.postEphemeral");
        Assert.Equal("UASKER", help["user"]!.GetValue<string>());
        Assert.Equal("1700000300.000100", help["thread_ts"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_confirmation_from_a_mention_is_posted_in_the_thread_and_its_buttons_work()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(ViewAndKill("CMENTION"));
        slack.Slack.Handler = r => FakeResponse.Json("""{"ok":true,"channel":"CMENTION","ts":"1700000500.000900"}""");

        await slack.Client.MentionAsync("CMENTION", "UASKER", $"kill {victim.Pid}", ts: "1700000500.000100");
        var confirmation = await slack.PostedToAsync("/api/chat.postMessage");
        Assert.Equal("1700000500.000100", confirmation["thread_ts"]!.GetValue<string>());
        var id = Guid.Parse(SlackKillFlowTests.Actions(confirmation)!["elements"]![0]!["value"]!.GetValue<string>());

        await slack.Client.ClickAsync("CMENTION", "UASKER", "pgchatops.confirm", id, slack.ResponseUrl("click"), "1700000500.000900");
        var outcome = await slack.PostedToAsync("/response/click");
        Assert.Equal("true", outcome["replace_original"]!.GetValue<string>());
        for (var i = 0; i < 50 && await TestSessions.IsAliveAsync(victim); i++)
        {
            await Task.Delay(100);
        }
        Assert.False(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task A_repeated_event_is_handled_once()
    {
        await using var slack = await SlackFixture.StartAsync(ViewAndKill("CMENTION"));
        await slack.Client.MentionAsync("CMENTION", "UASKER", "help", ts: "1700000600.000100", eventId: "EvSAME");
        await slack.Client.MentionAsync("CMENTION", "UASKER", "help", ts: "1700000600.000100", eventId: "EvSAME");
        await slack.PostedToAsync("/api/chat.postEphemeral");
        await slack.App.DetachedWorkSettledAsync();
        Assert.Single(slack.Posted("/api/chat.postEphemeral"));
    }

    [Fact]
    public async Task A_429_from_Slack_is_waited_out_and_the_post_still_arrives()
    {
        await using var sessions = await TestSessions.CreateAsync();
        await using var slack = await SlackFixture.StartAsync(ViewAndKill("CMENTION"));
        var first = 0;
        slack.Slack.Handler = r => r.Path == "/api/chat.postMessage" && Interlocked.Exchange(ref first, 1) == 0
            ? new FakeResponse(HttpStatusCode.TooManyRequests, """{"ok":false,"error":"ratelimited"}""") { Headers = new Dictionary<string, string> { ["Retry-After"] = "1" } }
            : FakeResponse.Json("""{"ok":true,"ts":"1.1"}""");

        await slack.Client.MentionAsync("CMENTION", "UASKER", $"sessions user={sessions.Role}", ts: "1700000700.000100");
        await slack.Slack.WaitForAsync(r => r.Path == "/api/chat.postMessage" && slack.Slack.Requests.Count(q => q.Path == r.Path) >= 2);

        var posts = slack.Slack.Requests.Where(r => r.Path == "/api/chat.postMessage").ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(posts[0].Body, posts[1].Body);
        Assert.True(posts[1].At - posts[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {posts[1].At - posts[0].At}");
        output.WriteLine($"429 with Retry-After: 1, posted again after {(posts[1].At - posts[0].At).TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_transient_5xx_from_Slack_is_retried()
    {
        await using var slack = await SlackFixture.StartAsync(ViewAndKill("CMENTION"));
        var failures = 0;
        slack.Slack.Handler = r => r.Path == "/api/chat.postEphemeral" && Interlocked.Increment(ref failures) <= 2
            ? new FakeResponse(HttpStatusCode.ServiceUnavailable, "busy", "text/plain")
            : FakeResponse.Json("""{"ok":true}""");

        await slack.Client.MentionAsync("CMENTION", "UASKER", "help", ts: "1700000800.000100");
        await slack.Slack.WaitForAsync(r => r.Path == "/api/chat.postEphemeral" && slack.Slack.Requests.Count(q => q.Path == r.Path) >= 3);
        await slack.App.DetachedWorkSettledAsync();
        Assert.Equal(3, slack.Posted("/api/chat.postEphemeral").Count());
    }

    [Fact]
    public async Task A_rule_naming_a_user_group_lets_its_members_in()
    {
        await using var sessions = await TestSessions.CreateAsync();
        await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "CGROUP",
            ["Access:Rules:0:Groups:0"] = "S0ONCALL",
            ["Access:Rules:0:Allow:0"] = "view",
        });
        slack.Slack.Handler = r => r.Path == "/api/usergroups.users.list"
            ? FakeResponse.Json("""{"ok":true,"users":["UMEMBER","UOTHER"]}""")
            : FakeResponse.Json("""{"ok":true}""");

        var member = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync("CGROUP", "UMEMBER", $"sessions user={sessions.Role}", slack.ResponseUrl("m")), "m");
        Assert.Equal("in_channel", member["response_type"]!.GetValue<string>());
        var stranger = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync("CGROUP", "USTRANGER", $"sessions user={sessions.Role}", slack.ResponseUrl("s")), "s");
        Assert.Equal("ephemeral", stranger["response_type"]!.GetValue<string>());
        Assert.Contains("Not allowed", stranger["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // Looked up once and cached.
        var lookup = Assert.Single(slack.Slack.Requests, r => r.Path == "/api/usergroups.users.list");
        Assert.Equal("S0ONCALL", JsonNode.Parse(lookup.Body)!["usergroup"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_approver_removed_from_the_group_cannot_confirm_even_while_membership_is_cached()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "CGROUP",
            ["Access:Rules:0:Groups:0"] = "S0ONCALL",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        });
        var members = """{"ok":true,"users":["UASKER","UAPPROVER"]}""";
        slack.Slack.Handler = r => r.Path == "/api/usergroups.users.list" ? FakeResponse.Json(members) : FakeResponse.Json("""{"ok":true}""");
        var pid = victim.Pid.ToString(CultureInfo.InvariantCulture);
        var confirmation = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync("CGROUP", "UASKER", $"kill {pid}", slack.ResponseUrl("cmd")), "cmd");
        var id = Guid.Parse(SlackKillFlowTests.Actions(confirmation)!["elements"]![0]!["value"]!.GetValue<string>());

        // UAPPROVER leaves the on-call group after the membership was cached.
        members = """{"ok":true,"users":["UASKER"]}""";
        await slack.Client.ClickAsync("CGROUP", "UAPPROVER", "pgchatops.confirm", id, slack.ResponseUrl("click"), "1700000000.000100");

        var refusal = await slack.PostedToAsync("/response/click");
        Assert.Equal("ephemeral", refusal["response_type"]!.GetValue<string>());
        Assert.Contains("may not confirm", refusal["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Malformed_but_signed_requests_get_a_clear_answer_and_never_a_500()
    {
        await using var slack = await SlackFixture.StartAsync(ViewAndKill());
        var form = "application/x-www-form-urlencoded";
        var cases = new (string Path, string Body, string Type, HttpStatusCode Expected)[]
        {
            ("/slack/interactions", "payload=not-json", form, HttpStatusCode.BadRequest),
            ("/slack/interactions", "nothing=here", form, HttpStatusCode.BadRequest),
            ("/slack/interactions", "payload=" + Uri.EscapeDataString("""{"type":"view_submission"}"""), form, HttpStatusCode.OK),
            ("/slack/interactions", "payload=" + Uri.EscapeDataString("""{"type":"block_actions","actions":[{"action_id":"pgchatops.confirm","value":"not-a-guid"}]}"""), form, HttpStatusCode.OK),
            ("/slack/interactions", "payload=" + Uri.EscapeDataString("""{"type":"block_actions","actions":"x","user":7}"""), form, HttpStatusCode.OK),
            // Well-formed JSON of an unexpected shape: a string where an object belongs.
            ("/slack/interactions", "payload=" + Uri.EscapeDataString($$"""{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"channel":{"id":"C123"},"container":"x","message":"y","actions":[{"action_id":"pgchatops.confirm","value":"{{Guid.NewGuid()}}"}]}"""), form, HttpStatusCode.BadRequest),
            ("/slack/events", """{"type":"event_callback","event":"mention"}""", "application/json", HttpStatusCode.OK),
            ("/slack/events", "{not json", "application/json", HttpStatusCode.BadRequest),
            ("/slack/events", "[1,2]", "application/json", HttpStatusCode.BadRequest),
            ("/slack/events", """{"type":"event_callback","event":{"type":"app_mention"}}""", "application/json", HttpStatusCode.OK),
            ("/slack/commands", "text=kill+1", form, HttpStatusCode.OK),
            ("/slack/commands", "%%%=&&&", form, HttpStatusCode.OK),
        };
        foreach (var (path, body, type, expected) in cases)
        {
            var response = await slack.Client.SendAsync(path, body, type);
            Assert.True(expected == response.StatusCode, $"{path} {body}: {response.StatusCode}");
        }
        await slack.App.DetachedWorkSettledAsync();
        Assert.Empty(slack.Slack.Requests);
    }

    [Fact]
    public async Task A_click_on_an_unknown_confirmation_is_refused_to_the_clicker_only()
    {
        await using var slack = await SlackFixture.StartAsync(ViewAndKill());
        await slack.Client.ClickAsync("C123", "UANY", "pgchatops.confirm", Guid.NewGuid(), slack.ResponseUrl("forged"), "1700000900.000100");
        var answer = await slack.PostedToAsync("/response/forged");
        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Equal("false", answer["replace_original"]!.GetValue<string>());
        Assert.Contains("unknown", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(slack.Posted("/api/chat.postMessage"));
    }
}
