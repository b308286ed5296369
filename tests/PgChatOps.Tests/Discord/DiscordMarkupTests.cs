using System.Text.Json.Nodes;
using CsCheck;
using PgChatOps.Discord;
using PgChatOps.Replies;

namespace PgChatOps.Tests.Discord;

/// <summary>Issue #10 item 5: names and query texts can never become links, mentions or formatting in Discord.</summary>
public sealed class DiscordMarkupTests
{
    [Theory]
    [InlineData("[click](https://evil.example)", @"\[click](https\://evil.example)")]
    [InlineData("@everyone and @here", @"\@everyone and \@here")]
    [InlineData("<@&1234> <#99> <t:1700000000:R> <https://x.example>", @"\<\@&1234> \<#99> \<t:1700000000:R> \<https\://x.example>")]
    [InlineData("see http://x.example/a_b", @"see http\://x.example/a\_b")]
    [InlineData("1. first\n  - second\n> quote\n-# small", "1\\. first\n  \\- second\n\\> quote\n\\-# small")]
    [InlineData("3 sessions on prod", "3 sessions on prod")]
    [InlineData("`[kept](in code)` [not](here)", @"`[kept](in code)` \[not](here)")]
    public void Item5_links_mentions_urls_and_line_markers_are_escaped_outside_code(string text, string expected)
    {
        Assert.Equal(expected, DiscordRenderer.Markdown(text));
        Assert.Empty(DiscordMarkup.Live(expected));
    }

    private static readonly Gen<string> Hostile =
        Gen.OneOf(
                Gen.Const("[click](https://evil.example)"), Gen.Const("@everyone"), Gen.Const("<@&1>"), Gen.Const("://"), Gen.Const("\n"),
                Gen.Const("1. "), Gen.Const("# "), Gen.Const("> "), Gen.Const("- "), Gen.Const("``"), Gen.Const("`"), Gen.Const("\\"),
                Gen.Char["*_~|[]()<>@#:-.`\\ \n1aZ"].Select(c => c.ToString()))
            .Array[0, 30].Select(parts => string.Concat(parts));

    private static IEnumerable<string> MarkdownTexts(JsonObject message)
    {
        yield return message["content"]!.GetValue<string>();
        var embed = message["embeds"]![0]!;
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
    public void Item5_a_cut_never_drops_the_backtick_that_closes_a_code_span()
    {
        // Escaped first and cut after, the closing backtick fell off and the link inside the span came alive.
        var name = new string('_', 120) + "`[click](https://evil.example)` tail";

        var field = DiscordRenderer.Render(new Reply { Kind = ReplyKind.Info, Title = "t", Fields = [new ReplyField(name, "v")] })["embeds"]![0]!["fields"]![0]!;

        var shown = field["name"]!.GetValue<string>();
        Assert.True(shown.Length <= 256);
        Assert.Empty(DiscordMarkup.Live(shown));
    }

    [Fact]
    public void Item5_no_title_field_note_or_cell_can_become_live_markup_in_Discord()
    {
        Gen.Select(Hostile, Hostile, Hostile, Hostile).Sample((title, name, value, note) =>
        {
            var reply = new Reply
            {
                Kind = ReplyKind.Info,
                Title = title,
                Fields = [new ReplyField(name, value), new ReplyField("application", value)],
                Notes = [note, "query:\n" + value],
                Table = new ReplyTable(["pid", "app"], [["1", value]], 1),
            };
            var message = DiscordRenderer.Render(reply);
            foreach (var text in MarkdownTexts(message))
            {
                var live = DiscordMarkup.Live(text);
                Assert.True(live.Count == 0, string.Join("; ", live));
            }
        }, iter: 20_000);
    }
}
