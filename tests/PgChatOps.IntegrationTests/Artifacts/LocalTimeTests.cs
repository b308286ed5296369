using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;

namespace PgChatOps.IntegrationTests.Artifacts;

/// <summary>Issue 13 item 6: what Slack and Discord receive shows each reader their own time, with UTC where it cannot.</summary>
public sealed partial class LocalTimeTests
{
    [GeneratedRegex(@"expires at <!date\^(?<unix>\d+)\^\{date_short_pretty\} \{time\}\|(?<utc>\d{4}-\d\d-\d\d \d\d:\d\d) UTC> \(")]
    private static partial Regex SlackExpiry();

    [GeneratedRegex(@"as of <!date\^(?<unix>\d+)\^\{date_short_pretty\} \{time\}\|(?<utc>\d{4}-\d\d-\d\d \d\d:\d\d) UTC>")]
    private static partial Regex SlackAsOf();

    // <t:…:R> already says how long is left: no "(5 minutes)" after it, as Slack and the console have.
    [GeneratedRegex(@"expires at <t:(?<unix>\d+):f> \(<t:\k<unix>:R>\)\.")]
    private static partial Regex DiscordExpiry();

    private static DateTimeOffset Unix(Match m) => DateTimeOffset.FromUnixTimeSeconds(long.Parse(m.Groups["unix"].Value, CultureInfo.InvariantCulture));

    /// <summary>The fallback names the same minute as the markup, in UTC.</summary>
    private static void AssertFallbackAgrees(Match m) =>
        Assert.Equal(Unix(m).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), m.Groups["utc"].Value);

    [Fact]
    public async Task Slack_confirmation_expiry_and_audit_time_use_date_markup_with_a_utc_fallback()
    {
        await using var sessions = await TestSessions.CreateAsync("ltslack");
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "CTIME",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        });
        var asked = DateTimeOffset.UtcNow;

        var confirmation = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync("CTIME", "UOPS", $"kill {victim.Pid}", slack.ResponseUrl("kill")), "kill");
        var audit = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync("CTIME", "UOPS", "audit", slack.ResponseUrl("audit")), "audit");

        var expiry = SlackExpiry().Match(SlackKillFlowTests.Json(confirmation));
        Assert.True(expiry.Success, confirmation.ToJsonString());
        AssertFallbackAgrees(expiry);
        Assert.InRange(Unix(expiry), asked.AddMinutes(5).AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(5));
        // The plain notification text and the header are not mrkdwn: UTC there.
        Assert.DoesNotContain("<!date", confirmation["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(" UTC", confirmation["text"]!.GetValue<string>(), StringComparison.Ordinal);

        var asOf = SlackAsOf().Match(SlackKillFlowTests.Json(audit));
        Assert.True(asOf.Success, audit.ToJsonString());
        AssertFallbackAgrees(asOf);
        Assert.InRange(Unix(asOf), asked.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Discord_confirmation_expiry_uses_long_and_relative_timestamps_and_the_footer_keeps_utc()
    {
        await using var sessions = await TestSessions.CreateAsync("ltdisc");
        var victim = await sessions.OpenAsync();
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var asked = DateTimeOffset.UtcNow;

        using var request = discord.SignedRequest(discord.Command(DiscordTestPlatform.Member("1800000000000000021", discord.OperatorRole), "kill", ("pid", victim.Pid)).ToJsonString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var message = body["type"]!.GetValue<int>() == 4
            ? body["data"]!.AsObject()
            : JsonNode.Parse((await discord.Api.WaitForAsync(r => r.Method == "PATCH" && r.Path.EndsWith("/messages/@original", StringComparison.Ordinal))).Body)!.AsObject();

        var embed = message["embeds"]![0]!;
        var expiry = DiscordExpiry().Match(embed["description"]!.GetValue<string>());
        Assert.True(expiry.Success, message.ToJsonString());
        Assert.DoesNotContain("minutes)", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(Unix(expiry), asked.AddMinutes(5).AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(5));
        // Discord shows the footer as plain text: a timestamp there would read literally.
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", embed["footer"]!["text"]!.GetValue<string>());
        Assert.DoesNotContain("<t:", embed["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
