using System.Text.Json.Nodes;
using CsCheck;
using PgChatOps.Replies;
using PgChatOps.Slack;

namespace PgChatOps.Tests.Slack;

/// <summary>Issue #10 item 5: names and query texts can never become links or mentions in Slack either.</summary>
public sealed class SlackMarkupTests
{
    private static readonly Gen<string> Hostile =
        Gen.OneOf(
                Gen.Const("<!channel>"), Gen.Const("<https://evil.example|click>"), Gen.Const("<@U123>"), Gen.Const("https://evil.example"),
                Gen.Const("@channel"), Gen.Const("#general"), Gen.Const("&lt;"), Gen.Const("[click](https://evil.example)"),
                Gen.Char["<>&|!@#:/ *_~`\n"].Select(c => c.ToString()))
            .Array[0, 20].Select(parts => string.Concat(parts));

    private static IEnumerable<JsonObject> MrkdwnObjects(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"]?.GetValue<string>() == "mrkdwn")
                {
                    yield return o;
                }
                foreach (var (_, child) in o)
                {
                    foreach (var m in MrkdwnObjects(child))
                    {
                        yield return m;
                    }
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var m in MrkdwnObjects(child))
                    {
                        yield return m;
                    }
                }
                break;
        }
    }

    [Fact]
    public void Item5_every_mrkdwn_text_is_verbatim_and_no_name_or_query_can_open_a_link_or_mention()
    {
        Gen.Select(Hostile, Hostile, Hostile).Sample((title, value, note) =>
        {
            var reply = new Reply
            {
                Kind = ReplyKind.Info,
                Title = title,
                Context = value,
                Fields = [new ReplyField("application", value)],
                Notes = [note, "query:\n" + value],
                Table = new ReplyTable(["pid", "app"], [["1", value]], 1),
            };
            var message = BlockKitRenderer.Render(reply);
            var texts = MrkdwnObjects(message).ToList();
            Assert.NotEmpty(texts);
            foreach (var mrkdwn in texts)
            {
                // Without verbatim Slack links bare URLs and #channel names and parses @channel by itself.
                Assert.True(mrkdwn["verbatim"]?.GetValue<bool>() == true, mrkdwn.ToJsonString());
                var text = mrkdwn["text"]!.GetValue<string>();
                Assert.DoesNotContain('<', text);
                Assert.DoesNotContain('>', text);
            }
            Assert.DoesNotContain('<', message["text"]!.GetValue<string>());
        }, iter: 5_000);
    }
}
