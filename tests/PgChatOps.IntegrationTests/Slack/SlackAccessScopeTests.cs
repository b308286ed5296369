using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Slack;

/// <summary>
/// Issue #10 items 4 and 5, over the real Slack endpoints with requests signed as Slack signs them: rules are bound
/// to a workspace, a DM is not a channel, clicks count only where the confirmation was posted, group lookups cannot
/// be spent or poisoned by outsiders, and replies go only to Slack's own response_url host.
/// </summary>
public sealed class SlackAccessScopeTests
{
    private const string OtherTeam = "T0ATTACKER";
    private const string MembersOnly = """{"ok":true,"users":["UASKER","UAPPROVER"]}""";

    private static string Pid(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, string?> StarRule(string? workspace = null)
    {
        var rule = new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "*",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        };
        if (workspace is not null)
        {
            rule["Access:Rules:0:Workspaces:0"] = workspace;
        }
        return rule;
    }

    private static Dictionary<string, string?> GroupRule() => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = "CGROUP",
        ["Access:Rules:0:Groups:0"] = "S0ONCALL",
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
    };

    private static async Task<JsonObject> SessionsAsync(SlackFixture slack, string channel, string user, string role, string name, string? team = null, string? channelName = null) =>
        await SlackKillFlowTests.AnswerAsync(slack,
            await slack.Client.CommandAsync(channel, user, $"sessions user={role}", slack.ResponseUrl(name), team: team, channelName: channelName), name);

    private static async Task<Guid> KillAsync(SlackFixture slack, string channel, string user, TestSession victim)
    {
        var confirmation = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync(channel, user, $"kill {Pid(victim)}", slack.ResponseUrl("kill")), "kill");
        var actions = SlackKillFlowTests.Actions(confirmation);
        Assert.True(actions is not null, "expected a confirmation: " + SlackKillFlowTests.Json(confirmation));
        return Guid.Parse(actions!["elements"]![0]!["value"]!.GetValue<string>());
    }

    private static int GroupLookups(SlackFixture slack) => slack.Slack.Requests.Count(r => r.Path == "/api/usergroups.users.list");

    [Fact]
    public async Task Item4_a_star_rule_does_not_let_a_slack_dm_list_sessions()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(StarRule());

        var dm = await SessionsAsync(slack, "D0ANYONE1", "UANYONE", sessions.Role, "dm", channelName: "directmessage");
        var channel = await SessionsAsync(slack, "C0OPS", "UANYONE", sessions.Role, "channel");

        Assert.Equal("ephemeral", dm["response_type"]!.GetValue<string>());
        Assert.Contains("Not allowed", dm["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(Pid(victim), SlackKillFlowTests.Json(dm), StringComparison.Ordinal);
        Assert.Equal("in_channel", channel["response_type"]!.GetValue<string>());
        Assert.Contains(Pid(victim), SlackKillFlowTests.Json(channel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item4_only_a_rule_naming_dm_lets_a_slack_dm_in_and_it_opens_no_channel()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Workspaces:0"] = SlackClient.Team,
            ["Access:Rules:0:Channels:0"] = "dm",
            ["Access:Rules:0:Users:0"] = "UONCALL",
            ["Access:Rules:0:Allow:0"] = "view",
        });

        var dm = await SessionsAsync(slack, "D0ONCALL1", "UONCALL", sessions.Role, "dm", channelName: "directmessage");
        var channel = await SessionsAsync(slack, "C0OPS", "UONCALL", sessions.Role, "channel");

        Assert.Contains(Pid(victim), SlackKillFlowTests.Json(dm), StringComparison.Ordinal);
        Assert.Contains("Not allowed", channel["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item4_a_rule_bound_to_a_workspace_does_not_apply_in_another_slack_workspace()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(StarRule(SlackClient.Team));

        var foreign = await SessionsAsync(slack, "C0OPS", "UANYONE", sessions.Role, "foreign", team: OtherTeam);
        var foreignKill = await SlackKillFlowTests.AnswerAsync(slack,
            await slack.Client.CommandAsync("C0OPS", "UANYONE", $"kill {Pid(victim)}", slack.ResponseUrl("foreign-kill"), team: OtherTeam), "foreign-kill");
        var home = await SessionsAsync(slack, "C0OPS", "UANYONE", sessions.Role, "home");

        Assert.Contains("Not allowed", foreign["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(Pid(victim), SlackKillFlowTests.Json(foreign), StringComparison.Ordinal);
        Assert.Contains("Not allowed", foreignKill["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(SlackKillFlowTests.Actions(foreignKill));
        Assert.Contains(Pid(victim), SlackKillFlowTests.Json(home), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item4_a_click_from_another_slack_workspace_is_refused_and_the_session_lives()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        // No Workspaces: the rule itself would let the clicker in from either workspace.
        await using var slack = await SlackFixture.StartAsync(StarRule());
        var id = await KillAsync(slack, "C0OPS", "UASKER", victim);

        await slack.Client.ClickAsync("C0OPS", "UASKER", "pgchatops.confirm", id, slack.ResponseUrl("foreign"), "1700000000.000100", team: OtherTeam);
        var refusal = await slack.PostedToAsync("/response/foreign");

        Assert.Equal("ephemeral", refusal["response_type"]!.GetValue<string>());
        Assert.Contains("belongs to another channel", refusal["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // Still open where it was posted.
        await slack.Client.ClickAsync("C0OPS", "UASKER", "pgchatops.confirm", id, slack.ResponseUrl("home"), "1700000000.000100");
        var outcome = await slack.PostedToAsync("/response/home");
        Assert.Contains("Terminated 1 of 1 session", outcome["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item5_outsiders_clicking_a_confirmation_cost_no_user_group_lookups()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(GroupRule());
        slack.Slack.Handler = r => r.Path == "/api/usergroups.users.list" ? FakeResponse.Json(MembersOnly) : FakeResponse.Json("""{"ok":true}""");
        var id = await KillAsync(slack, "CGROUP", "UASKER", victim);
        var before = GroupLookups(slack);

        for (var i = 0; i < 5; i++)
        {
            await slack.Client.ClickAsync("CGROUP", "UOUTSIDER", "pgchatops.confirm", id, slack.ResponseUrl($"outsider{i}"), "1700000000.000100");
            var refusal = await slack.PostedToAsync($"/response/outsider{i}");
            Assert.Contains("may not confirm", refusal["text"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal(1, before);
        Assert.Equal(before, GroupLookups(slack));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Item5_a_failed_lookup_at_a_click_does_not_lock_members_out()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(GroupRule());
        var slackFails = false;
        slack.Slack.Handler = r => r.Path != "/api/usergroups.users.list"
            ? FakeResponse.Json("""{"ok":true}""")
            : FakeResponse.Json(slackFails ? """{"ok":false,"error":"ratelimited"}""" : MembersOnly);
        var id = await KillAsync(slack, "CGROUP", "UASKER", victim);

        // Slack stops answering group lookups; a member's click cannot be checked afresh, so it is refused.
        slackFails = true;
        await slack.Client.ClickAsync("CGROUP", "UAPPROVER", "pgchatops.confirm", id, slack.ResponseUrl("click"), "1700000000.000100");
        var refusal = await slack.PostedToAsync("/response/click");
        Assert.Contains("may not confirm", refusal["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // The good answer from before the failure still serves the members' commands.
        var list = await SessionsAsync(slack, "CGROUP", "UAPPROVER", sessions.Role, "after");
        Assert.Equal("in_channel", list["response_type"]!.GetValue<string>());
        Assert.Contains(Pid(victim), SlackKillFlowTests.Json(list), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item5_the_bot_posts_nothing_to_a_response_url_outside_slack()
    {
        await using var attacker = await FakeHttpServer.StartAsync();
        await using var slack = await SlackFixture.StartAsync(StarRule());

        // A click on a confirmation that does not exist is answered through response_url.
        foreach (var url in new[] { attacker.BaseUrl + "steal", "https://hooks.slack.com.attacker.example/x", "http://hooks.slack.com/x" })
        {
            var response = await slack.Client.ClickAsync("C0OPS", "UANYONE", "pgchatops.confirm", Guid.NewGuid(), url, "1700000000.000100");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await slack.Client.ClickAsync("C0OPS", "UANYONE", "pgchatops.confirm", Guid.NewGuid(), slack.ResponseUrl("control"), "1700000000.000100");
        var control = await slack.PostedToAsync("/response/control");

        Assert.Contains("unknown", control["text"]!.GetValue<string>(), StringComparison.Ordinal);
        await slack.App.DetachedWorkSettledAsync();
        Assert.Empty(attacker.Requests);
        Assert.Single(slack.Slack.Requests, r => r.Path.StartsWith("/response/", StringComparison.Ordinal));
    }
}
