using System.Text.Json.Nodes;
using PgChatOps.Activity;
using PgChatOps.Discord;
using PgChatOps.Slack;
using PgChatOps.Tests.Discord;
using PgChatOps.Tests.Slack;
using PgChatOps.Watch;

namespace PgChatOps.Tests.Watch;

public sealed class AlertMessageRenderingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A long-running query offered both fixes: Cancel and Terminate, each its own pending action.</summary>
    private static Alert TwoFixes()
    {
        var session = new AlertSession(4242, Now.UtcDateTime.AddHours(-1), "app", "shop", "api", "10.0.0.1", "active",
            TimeSpan.FromMinutes(12), TimeSpan.FromMinutes(12), "SELECT * FROM orders", []);
        return new Alert
        {
            Id = Guid.NewGuid(),
            Rule = "slow",
            Condition = WatchCondition.LongRunning,
            Target = "prod",
            Platform = "slack",
            Channel = "C1",
            Title = "1 query running on prod for up to 12 minutes",
            Threshold = "10m",
            OpenedAt = Now,
            Sessions = [session],
            SessionCount = 1,
            FixActions =
            [
                new AlertFixAction(AlertFixKind.Cancel, "Cancel", Guid.NewGuid(), Now.AddMinutes(5), [session.Identity]),
                new AlertFixAction(AlertFixKind.Terminate, "Terminate", Guid.NewGuid(), Now.AddMinutes(5), [session.Identity]),
            ],
        };
    }

    private static List<List<(string ActionId, string Value)>> SlackActionBlocks(JsonObject message) =>
        [.. message["blocks"]!.AsArray().OfType<JsonObject>()
            .Where(b => b["type"]!.GetValue<string>() == "actions")
            .Select(b => b["elements"]!.AsArray().OfType<JsonObject>()
                .Select(e => (e["action_id"]!.GetValue<string>(), e["value"]!.GetValue<string>())).ToList())];

    [Fact]
    public void Slack_gives_each_fix_its_own_actions_block_and_adds_snooze_with_the_alert_id()
    {
        var alert = TwoFixes();
        var message = SlackAlertMessage.Render(alert);

        var blocks = SlackActionBlocks(message);
        Assert.Equal(2, blocks.Count);
        Assert.Equal([("pgchatops.confirm", alert.FixActions[0].ActionId.ToString()), ("pgchatops.abort", alert.FixActions[0].ActionId.ToString())], blocks[0]);
        Assert.Equal(
            [("pgchatops.confirm", alert.FixActions[1].ActionId.ToString()), ("pgchatops.abort", alert.FixActions[1].ActionId.ToString()), ("pgchatops.snooze", alert.Id.ToString())],
            blocks[1]);
        Assert.All(blocks, b => Assert.Equal(b.Count, b.Select(e => e.ActionId).Distinct().Count()));
        Assert.Empty(BlockKitLimits.Violations(message));
    }

    [Fact]
    public void A_resolved_alert_has_no_buttons_on_either_platform()
    {
        var alert = TwoFixes() with { Status = AlertStatus.Resolved, ResolvedAt = Now.AddMinutes(3), FixActions = [] };

        Assert.Empty(SlackActionBlocks(SlackAlertMessage.Render(alert)));
        Assert.Empty(DiscordAlertMessage.Render(alert)["components"]!.AsArray());
    }

    [Fact]
    public void A_target_not_answering_says_since_when_and_why_and_offers_only_snooze_on_both_platforms()
    {
        var since = Now.AddMinutes(-3);
        var alert = TwoFixes() with
        {
            Title = "prod is not answering: the connection was refused, nothing listens on that host and port [08001]",
            Sessions = [],
            SessionCount = 0,
            FixActions = [],
            NotAnswering = new AlertNotAnswering(since, "the connection was refused, nothing listens on that host and port [08001]"),
        };

        var slack = SlackAlertMessage.Render(alert);
        var text = slack.ToJsonString();
        Assert.Equal([[("pgchatops.snooze", alert.Id.ToString())]], SlackActionBlocks(slack));
        Assert.Contains("no answer since", text, StringComparison.Ordinal);
        Assert.Contains("slow, and every other rule on prod that posts here", text, StringComparison.Ordinal);
        Assert.DoesNotContain("threshold 10m", text, StringComparison.Ordinal);
        Assert.DoesNotContain("```", text, StringComparison.Ordinal); // no sessions table
        Assert.Empty(BlockKitLimits.Violations(slack));

        var discord = (alert with { Platform = "discord" }).Message;
        Assert.Contains(discord.Fields, f => f.Name == "latest error" && f.Value.EndsWith("[08001]", StringComparison.Ordinal));
        var components = DiscordAlertMessage.Render(alert)["components"]!.AsArray();
        var button = Assert.Single(Assert.Single(components)!["components"]!.AsArray());
        Assert.Equal($"pgchatops.snooze:{alert.Id}", button!["custom_id"]!.GetValue<string>());
    }

    [Fact]
    public void Discord_adds_snooze_after_the_fixes_within_the_row_limits()
    {
        var alert = TwoFixes() with { Platform = "discord" };
        var message = DiscordAlertMessage.Render(alert);

        var ids = message["components"]!.AsArray().SelectMany(r => r!["components"]!.AsArray()).Select(b => b!["custom_id"]!.GetValue<string>()).ToList();
        Assert.Equal(5, ids.Count);
        Assert.Equal($"pgchatops.snooze:{alert.Id}", ids[^1]);
        Assert.Contains($"pgchatops.confirm:{alert.FixActions[0].ActionId}", ids);
        Assert.Contains($"pgchatops.abort:{alert.FixActions[1].ActionId}", ids);
        Assert.Empty(DiscordMessageLimits.Violations(message));
    }

    [Theory]
    [InlineData("pgchatops.snooze:not-a-guid")]
    [InlineData("pgchatops.snooze:")]
    [InlineData("pgchatops.snooze:{3F2504E0-4F89-11D3-9A0C-0305E82C3301}")]
    [InlineData("pgchatops.snoozed:3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public void A_malformed_snooze_id_is_not_an_alert_id(string customId) =>
        Assert.False(DiscordAlertMessage.TryParseSnooze(customId, out _));

    [Fact]
    public void A_snooze_id_round_trips()
    {
        var id = Guid.NewGuid();
        Assert.True(DiscordAlertMessage.TryParseSnooze(new AlertSnoozeButton(id, "Snooze 1h").DiscordCustomId, out var parsed));
        Assert.Equal(id, parsed);
    }
}
