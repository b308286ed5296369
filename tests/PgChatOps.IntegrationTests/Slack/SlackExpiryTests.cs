using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Slack;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Slack;

public sealed class SlackExpiryTests(ITestOutputHelper output)
{
    private const string Expired = "Expired: nobody confirmed within 5 minutes; nothing was done";
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    private static Dictionary<string, string?> Rules(string channel) => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = channel,
        ["Access:Rules:0:Users:0"] = "UALLOWED",
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
    };

    private static bool Replaces(JsonObject m) => m["replace_original"]?.GetValue<string>() == "true";

    private static bool ToAuditChannel(JsonObject m) => m["channel"]?.GetValue<string>() == SlackFixture.AuditChannel;

    [Fact]
    public async Task An_unconfirmed_slash_command_kill_loses_its_buttons_when_it_expires_and_the_audit_channel_is_told()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var slack = await SlackFixture.StartAsync(Rules("C123"), time: time);

        var confirmation = await SlackKillFlowTests.AnswerAsync(slack,
            await slack.Client.CommandAsync("C123", "UALLOWED", $"kill {victim.Pid}", slack.ResponseUrl("cmd")), "cmd");
        var id = Guid.Parse(SlackKillFlowTests.Actions(confirmation)!["elements"]![0]!["value"]!.GetValue<string>());

        await SweeperClock.ExpireAsync(time, TimeToLive, () => slack.Posted("/response/cmd").Any(Replaces));

        // The confirmation's message is replaced through the command's response_url: the outcome, no buttons.
        var replaced = slack.Posted("/response/cmd").Single(Replaces);
        output.WriteLine("REPLACED WITH:\n" + SlackKillFlowTests.Json(replaced));
        Assert.Equal("in_channel", replaced["response_type"]!.GetValue<string>());
        Assert.Null(SlackKillFlowTests.Actions(replaced));
        Assert.StartsWith(Expired, replaced["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("kill " + victim.Pid.ToString(CultureInfo.InvariantCulture), SlackKillFlowTests.Json(replaced), StringComparison.Ordinal);
        Assert.False(slack.Slack.Requests.First(r => r.Path == "/response/cmd" && r.Body.Contains("replace_original", StringComparison.Ordinal)).Headers.ContainsKey("Authorization"));

        // The audit channel gets the same record.
        var audit = await slack.PostedToAsync("/api/chat.postMessage", ToAuditChannel);
        Assert.StartsWith(Expired, audit["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(SlackKillFlowTests.Actions(audit));
        Assert.True(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(0, slack.App.Services.GetRequiredService<SlackOpenConfirmations>().Count);

        // A click that still arrives (an old client) gets the expiry and does nothing.
        await slack.Client.ClickAsync("C123", "UALLOWED", "pgchatops.confirm", id, slack.ResponseUrl("late"), "1700000000.000100");
        var late = await slack.PostedToAsync("/response/late");
        Assert.StartsWith(Expired, late["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(SlackKillFlowTests.Actions(late));
        Assert.True(await TestSessions.IsAliveAsync(victim));
        var rows = await AuditRows.ForActionAsync(await TestDatabase.ConnectionStringAsync(slack.StateDatabase), id);
        Assert.Single(rows, r => r.Event == "expired");
        Assert.DoesNotContain(rows, r => r.Event is "confirmed" or "executed");
    }

    [Fact]
    public async Task An_unconfirmed_kill_from_a_mention_is_updated_in_place_when_it_expires()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var slack = await SlackFixture.StartAsync(Rules("CMENTION"), time: time);
        slack.Slack.Handler = r => FakeResponse.Json("""{"ok":true,"channel":"CMENTION","ts":"1700000700.000900"}""");
        var open = slack.App.Services.GetRequiredService<SlackOpenConfirmations>();

        var mention = await slack.Client.MentionAsync("CMENTION", "UALLOWED", $"kill {victim.Pid}", ts: "1700000700.000100");
        Assert.Equal(HttpStatusCode.OK, mention.StatusCode);
        var confirmation = await slack.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == "CMENTION");
        Assert.NotNull(SlackKillFlowTests.Actions(confirmation));
        // The message reference is remembered just after chat.postMessage answers.
        for (var i = 0; i < 100 && open.Count == 0; i++)
        {
            await Task.Delay(50);
        }

        await SweeperClock.ExpireAsync(time, TimeToLive, () => slack.Posted("/api/chat.update").Any());

        var update = slack.Posted("/api/chat.update").Single();
        Assert.Equal("CMENTION", update["channel"]!.GetValue<string>());
        Assert.Equal("1700000700.000900", update["ts"]!.GetValue<string>());
        Assert.StartsWith(Expired, update["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(SlackKillFlowTests.Actions(update));
        Assert.Equal("Bearer xoxb-test-token", slack.Slack.Requests.First(r => r.Path == "/api/chat.update").Headers["Authorization"]);
        var audit = await slack.PostedToAsync("/api/chat.postMessage", ToAuditChannel);
        Assert.StartsWith(Expired, audit["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
