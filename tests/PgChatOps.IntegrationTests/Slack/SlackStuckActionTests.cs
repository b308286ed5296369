using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Slack;

public sealed class SlackStuckActionTests
{
    private const string OutcomeUnknown = "Outcome unknown: the terminate on test was confirmed but its result was never recorded";

    [Fact]
    public async Task Item5_an_action_left_confirmed_by_a_stopped_replica_is_posted_in_its_channel_and_the_audit_channel_at_start_up()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var slackRule = new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "C123",
            ["Access:Rules:0:Allow:0"] = "terminate",
        };
        Guid id;
        await using (var stopped = await CoreHost.StartAsync(slackRule, stateDatabase: state, defaultRules: false))
        {
            var preview = await stopped.SendAsync($"kill {victim.Pid}", user: "UALLOWED", channel: "C123", platform: Platform.Slack);
            id = preview.ActionId!.Value;
        }
        await TestDatabase.ScalarAsync<int>("""
            UPDATE pgchatops.pending_actions
            SET status = 'confirmed', decided_by = 'UOTHER', decided_by_name = 'UOTHER', decided_at = now() - interval '1 hour'
            WHERE id = @id;
            SELECT 1
            """, state, ("id", id));

        await using var slack = await SlackFixture.StartAsync(slackRule, stateDatabase: state);

        var inChannel = await slack.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == "C123");
        Assert.StartsWith(OutcomeUnknown, inChannel["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(SlackKillFlowTests.Actions(inChannel));
        var audit = await slack.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == SlackFixture.AuditChannel);
        Assert.StartsWith(OutcomeUnknown, audit["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
