using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;

namespace PgChatOps.IntegrationTests.Safety;

/// <summary>
/// Issue #10 item 5: a command the audit log could not store is refused by the parser, and that refusal is
/// recorded. Before, a NUL got past the parser, the denial's audit write failed, and the denial went unrecorded.
/// </summary>
public sealed class UnrecordableInputTests
{
    [Fact]
    public async Task Item5_a_slack_command_with_a_NUL_is_refused_clearly_and_the_refusal_is_recorded()
    {
        // No rule for this channel: before the fix this was a denial whose audit record could not be written.
        await using var slack = await SlackFixture.StartAsync();
        const string user = "UNUL1";

        using var response = await slack.Client.CommandAsync("CNORULE", user, "sessions app=\u0000", slack.ResponseUrl("nul"));

        var body = await SlackKillFlowTests.AnswerAsync(slack, response, "nul");
        Assert.Equal("ephemeral", body["response_type"]!.GetValue<string>());
        var shown = body["blocks"]![0]!["text"]!["text"]!.GetValue<string>();
        Assert.Equal(":x: Position 14 holds U+0000 (NUL), which the audit log cannot store: nothing was run. Use printable characters, e.g. `/pg sessions app=myapp`.", shown);
        Assert.Equal(1, await AuditRows.CountAsync(
            await TestDatabase.ConnectionStringAsync(slack.StateDatabase),
            "event = 'invalid' AND actor_id = @a AND command = @c AND detail->>'error' LIKE '%U+0000 (NUL)%'",
            ("a", user), ("c", @"sessions app=\x00")));
    }

    [Fact]
    public async Task Item5_a_discord_option_with_a_NUL_or_ESC_is_refused_clearly_and_the_refusal_is_recorded()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var app = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        using var client = app.CreateClient();
        const string userId = "1800000000000000555";
        var member = DiscordTestPlatform.Member(userId, discord.OperatorRole);

        foreach (var (value, named) in new[] { ("x\u0000", "U+0000 (NUL)"), ("\u001B[2J", "U+001B (ESC)") })
        {
            var interaction = discord.Command(member, "sessions", ("app", value));
            using var request = discord.SignedRequest(interaction.ToJsonString());
            using var response = await client.SendAsync(request);

            var data = await DiscordAnswer.DataAsync(discord, response, interaction);
            Assert.Equal(64, data["flags"]!.GetValue<int>());
            Assert.Contains(named, data["content"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(2, await AuditRows.CountAsync(await TestDatabase.ConnectionStringAsync(state), "event = 'invalid' AND actor_id = @a", ("a", userId)));
    }

    [Fact]
    public async Task Item5_a_discord_option_with_a_lone_surrogate_is_refused_by_the_parser_and_recorded_not_dropped_as_malformed()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var app = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        using var client = app.CreateClient();
        const string userId = "1800000000000000556";
        var member = DiscordTestPlatform.Member(userId, discord.OperatorRole);
        // Valid JSON that no .NET string reader accepts as text: an escaped unpaired surrogate.
        var interaction = discord.Command(member, "sessions", ("app", "a\"XSURROGATE"));
        var json = interaction.ToJsonString().Replace("XSURROGATE", "\\ud800", StringComparison.Ordinal);

        using var request = discord.SignedRequest(json);
        using var response = await client.SendAsync(request);

        var content = (await DiscordAnswer.DataAsync(discord, response, interaction))["content"]!.GetValue<string>();
        Assert.Contains("U+D800 (half a surrogate pair, invalid Unicode)", content, StringComparison.Ordinal);
        Assert.Equal(1, await AuditRows.CountAsync(await TestDatabase.ConnectionStringAsync(state), "event = 'invalid' AND actor_id = @a", ("a", userId)));
    }
}
