using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Slack;

public sealed class SlackKillFlowTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> Rules() => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = "C123",
        ["Access:Rules:0:Users:0"] = "UALLOWED",
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
        ["Access:Rules:1:Platform"] = "slack",
        ["Access:Rules:1:Channels:0"] = "CVIEW",
        ["Access:Rules:1:Allow:0"] = "view",
    };

    /// <summary>The final answer to a command: inline, or through response_url when the inline one was "working on it".</summary>
    internal static async Task<JsonObject> AnswerAsync(SlackFixture slack, HttpResponseMessage response, string responseUrlName)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inline = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return inline["blocks"] is not null ? inline : await slack.PostedToAsync("/response/" + responseUrlName);
    }

    internal static JsonObject? Actions(JsonObject message) =>
        message["blocks"]!.AsArray().OfType<JsonObject>().FirstOrDefault(b => b["type"]!.GetValue<string>() == "actions");

    internal static string Json(JsonNode node) =>
        node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Fact]
    public async Task A_kill_is_confirmed_in_channel_refused_for_an_outsider_and_executed_for_an_allowed_user()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(Rules());
        var pid = victim.Pid.ToString(CultureInfo.InvariantCulture);

        // 1. The command: a confirmation everyone in the channel sees, with the two buttons.
        var confirmation = await AnswerAsync(slack, await slack.Client.CommandAsync("C123", "UALLOWED", $"kill {pid}", slack.ResponseUrl("cmd")), "cmd");
        output.WriteLine("CONFIRMATION:\n" + Json(confirmation));
        Assert.Equal("in_channel", confirmation["response_type"]!.GetValue<string>());
        var buttons = Actions(confirmation)!["elements"]!.AsArray();
        var confirm = buttons.Single(b => b!["action_id"]!.GetValue<string>() == "pgchatops.confirm")!;
        Assert.Single(buttons, b => b!["action_id"]!.GetValue<string>() == "pgchatops.abort");
        Assert.Equal("danger", confirm["style"]!.GetValue<string>());
        var id = Guid.Parse(confirm["value"]!.GetValue<string>());
        Assert.Contains(pid, Json(confirmation), StringComparison.Ordinal);

        // 2. Someone outside the rule clicks confirm: told why, privately; nothing happens.
        var refused = await slack.Client.ClickAsync("C123", "UOUTSIDER", "pgchatops.confirm", id, slack.ResponseUrl("outsider"), "1700000000.000100");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var refusal = await slack.PostedToAsync("/response/outsider");
        Assert.Equal("ephemeral", refusal["response_type"]!.GetValue<string>());
        Assert.Equal("false", refusal["replace_original"]!.GetValue<string>());
        Assert.Contains("You may not confirm this", refusal["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(Actions(refusal));
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // 3. The allowed user confirms: the backend ends, the confirmation is replaced with the outcome.
        var click = await slack.Client.ClickAsync("C123", "UALLOWED", "pgchatops.confirm", id, slack.ResponseUrl("allowed"), "1700000000.000100");
        Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var outcome = await slack.PostedToAsync("/response/allowed");
        output.WriteLine("OUTCOME:\n" + Json(outcome));
        Assert.Equal("true", outcome["replace_original"]!.GetValue<string>());
        Assert.Null(Actions(outcome));
        var text = Json(outcome);
        Assert.Contains("Terminated 1 of 1 session", text, StringComparison.Ordinal);
        Assert.Contains("requested by", text, StringComparison.Ordinal);
        Assert.Contains("confirmed by", text, StringComparison.Ordinal);
        Assert.Contains("uallowed", text, StringComparison.Ordinal);
        Assert.Contains(pid, text, StringComparison.Ordinal);
        Assert.Contains("terminated", text, StringComparison.Ordinal);
        for (var i = 0; i < 50 && await TestSessions.IsAliveAsync(victim); i++)
        {
            await Task.Delay(100);
        }
        Assert.False(await TestSessions.IsAliveAsync(victim));

        // 4. The audit channel gets the record, and the confirmation's thread a reply.
        var audit = await slack.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == SlackFixture.AuditChannel);
        Assert.Contains("Terminated 1 of 1 session", audit["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(audit["thread_ts"]);
        var thread = await slack.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == "C123");
        Assert.Equal("1700000000.000100", thread["thread_ts"]!.GetValue<string>());
        var auditRequest = slack.Slack.Requests.First(r => r.Path == "/api/chat.postMessage");
        Assert.Equal("Bearer xoxb-test-token", auditRequest.Headers["Authorization"]);
        Assert.StartsWith("application/json", auditRequest.Headers["Content-Type"], StringComparison.Ordinal);

        // 5. A second click is told it is already done.
        await slack.Client.ClickAsync("C123", "UALLOWED", "pgchatops.confirm", id, slack.ResponseUrl("again"), "1700000000.000100");
        var again = await slack.PostedToAsync("/response/again");
        Assert.Equal("ephemeral", again["response_type"]!.GetValue<string>());
        Assert.Contains("Already handled", again["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, slack.Posted("/api/chat.postMessage").Count());
    }

    [Fact]
    public async Task An_abort_replaces_the_confirmation_and_leaves_the_session_alone()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(Rules());

        var confirmation = await AnswerAsync(slack, await slack.Client.CommandAsync("C123", "UALLOWED", $"kill {victim.Pid}", slack.ResponseUrl("cmd")), "cmd");
        var id = Guid.Parse(Actions(confirmation)!["elements"]![0]!["value"]!.GetValue<string>());
        await slack.Client.ClickAsync("C123", "UALLOWED", "pgchatops.abort", id, slack.ResponseUrl("abort"), "1700000000.000200");

        var outcome = await slack.PostedToAsync("/response/abort");
        Assert.Equal("true", outcome["replace_original"]!.GetValue<string>());
        Assert.Contains("Aborted by", outcome["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(Actions(outcome));
        await slack.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == SlackFixture.AuditChannel);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task A_channel_with_view_only_cannot_kill()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(Rules());

        var denied = await AnswerAsync(slack, await slack.Client.CommandAsync("CVIEW", "UANYONE", $"kill {victim.Pid}", slack.ResponseUrl("kill")), "kill");
        Assert.Equal("ephemeral", denied["response_type"]!.GetValue<string>());
        Assert.Contains("Not allowed", denied["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(Actions(denied));

        var list = await AnswerAsync(slack, await slack.Client.CommandAsync("CVIEW", "UANYONE", $"sessions user={sessions.Role}", slack.ResponseUrl("list")), "list");
        Assert.Equal("in_channel", list["response_type"]!.GetValue<string>());
        Assert.Contains(victim.Pid.ToString(CultureInfo.InvariantCulture), Json(list), StringComparison.Ordinal);

        Assert.True(await TestSessions.IsAliveAsync(victim));
        Assert.Empty(slack.Posted("/api/chat.postMessage"));
    }

    [Fact]
    public async Task Slash_command_text_is_unescaped_before_parsing()
    {
        await using var sessions = await TestSessions.CreateAsync();
        await using var slack = await SlackFixture.StartAsync(Rules());

        // Slack sends "query~a&lt;b"; the pipeline must see "query~a<b" (no match, but no parse error either).
        var answer = await AnswerAsync(slack, await slack.Client.CommandAsync("C123", "UALLOWED", $"sessions user={sessions.Role} query~a<b&c", slack.ResponseUrl("q")), "q");
        var text = Json(answer);
        Assert.Contains("No sessions match", text, StringComparison.Ordinal);
        Assert.Contains("a&lt;b&amp;c", text, StringComparison.Ordinal);
    }
}
