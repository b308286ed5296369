using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;
using PgChatOps.Tests.Discord;

namespace PgChatOps.IntegrationTests.Safety;

/// <summary>
/// Issue #10 item 5: a database session names itself; whatever it chooses shows up inert in the channel. The
/// application names are set by real PostgreSQL sessions and read back through signed Slack and Discord requests.
/// </summary>
public sealed class MarkupInjectionTests
{
    private const string MaskedLink = "[click](https://evil.example)";
    private const string Everyone = "@everyone <@&1> #general";

    private static IEnumerable<string> MarkdownTexts(JsonObject data)
    {
        yield return data["content"]!.GetValue<string>();
        var embed = data["embeds"]![0]!;
        if (embed["description"] is { } d)
        {
            yield return d.GetValue<string>();
        }
        foreach (var field in embed["fields"]?.AsArray() ?? [])
        {
            yield return field!["name"]!.GetValue<string>();
            yield return field["value"]!.GetValue<string>();
        }
    }

    [Fact]
    public async Task Item5_an_application_name_with_a_masked_link_or_everyone_is_inert_in_Discord()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync("mk");
        var link = await sessions.OpenAsync(MaskedLink);
        var everyone = await sessions.OpenAsync(Everyone);
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000777", discord.OperatorRole);

        foreach (var (session, shown) in new[] { (link, @"\[click](https\://evil.example)"), (everyone, @"\@everyone \<\@&1> #general") })
        {
            var interaction = discord.Command(member, "show", ("pid", session.Pid));
            using var request = discord.SignedRequest(interaction.ToJsonString());
            using var response = await client.SendAsync(request);
            var data = await DiscordAnswer.DataAsync(discord, response, interaction);

            var application = data["embeds"]![0]!["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "application")!;
            Assert.Equal(shown, application["value"]!.GetValue<string>());
            foreach (var text in MarkdownTexts(data))
            {
                var live = DiscordMarkup.Live(text);
                Assert.True(live.Count == 0, string.Join("; ", live));
            }
            Assert.Empty(data["allowed_mentions"]!["parse"]!.AsArray());
        }
    }

    [Fact]
    public async Task Item5_an_application_name_with_a_channel_mention_or_link_is_inert_in_Slack()
    {
        await using var sessions = await TestSessions.CreateAsync("ms");
        var hostile = await sessions.OpenAsync("<!channel> <https://evil.example|ok> @here #x");
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "CMARKUP",
            ["Access:Rules:0:Allow:0"] = "view",
        });

        using var response = await slack.Client.CommandAsync("CMARKUP", "UMARKUP", $"show {hostile.Pid.ToString(CultureInfo.InvariantCulture)}", slack.ResponseUrl("markup"));

        var body = await SlackKillFlowTests.AnswerAsync(slack, response, "markup");
        var texts = body["blocks"]!.AsArray()
            .SelectMany(b => (b!["fields"]?.AsArray() ?? []).Append(b["text"]).Concat(b["elements"]?.AsArray() ?? []))
            .Where(t => t?["type"]?.GetValue<string>() == "mrkdwn")
            .ToList();
        var application = texts.Single(t => t!["text"]!.GetValue<string>().StartsWith("*application*", StringComparison.Ordinal))!;
        Assert.Equal("*application*\n&lt;!channel&gt; &lt;https://evil.example|ok&gt; @here #x", application["text"]!.GetValue<string>());
        // verbatim: Slack neither links the bare URL or #x nor parses @here by itself.
        Assert.All(texts, t => Assert.True(t!["verbatim"]?.GetValue<bool>() == true, t.ToJsonString()));
    }
}
