using System.Text.Encodings.Web;
using System.Text.Json;
using PgChatOps.Discord;
using PgChatOps.Replies;
using PgChatOps.Slack;

namespace PgChatOps.Tests.Replies;

/// <summary>Issue 13 item 6: each reader sees times in their own zone where the platform can show it, UTC elsewhere.</summary>
public sealed class ReplyTimeTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 13, 0, 0, TimeSpan.Zero);
    private const long Unix = 1795611600; // date -u -d @1795611600: Wed Nov 25 13:00:00 UTC 2026

    private const string SlackDate = "<!date^1795611600^{date_short_pretty} {time}|2026-11-25 13:00 UTC>";
    private const string DiscordDate = "<t:1795611600:f> (<t:1795611600:R>)";
    private const string Utc = "2026-11-25 13:00:00 UTC";

    private static readonly JsonSerializerOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Reply Everywhere() => new()
    {
        Kind = ReplyKind.Info,
        Title = $"pid 4242: terminate confirmed by bob at {Format.At(At)}",
        Context = $"from the audit log, as of {Format.At(At)}",
        Fields = [new ReplyField("confirmed at", Format.At(At))],
        Table = new ReplyTable(["asked", "pid"], [[Format.At(At), "4242"]], 1),
        Notes = [$"This confirmation expires at {Format.At(At)}{ReplyTime.Relative(" (5 minutes)")}."],
    };

    [Fact]
    public void The_token_reads_as_utc_without_a_renderer_and_the_console_shows_utc()
    {
        Assert.Equal(Utc, ReplyTime.Plain(Format.At(At)));
        Assert.Equal(Unix, At.ToUnixTimeSeconds());
        var text = TextRenderer.Render(Everywhere());
        Assert.Contains($"confirmed by bob at {Utc}", text, StringComparison.Ordinal);
        Assert.Contains($"expires at {Utc} (5 minutes)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ReplyTime.Marker, text);
        Assert.DoesNotContain(ReplyTime.RelativeMarker, text);
    }

    [Fact]
    public void Slack_shows_date_markup_with_a_utc_fallback_in_mrkdwn_and_utc_in_the_header_and_tables()
    {
        var message = BlockKitRenderer.Render(Everywhere());
        var json = message.ToJsonString(Raw);
        var blocks = message["blocks"]!.AsArray();

        Assert.Equal($"pid 4242: terminate confirmed by bob at {Utc}", blocks[0]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal($"from the audit log, as of {SlackDate}", blocks[1]!["elements"]![0]!["text"]!.GetValue<string>());
        Assert.Contains($"*confirmed at*\\n{SlackDate}", json, StringComparison.Ordinal);
        Assert.Contains($"This confirmation expires at {SlackDate} (5 minutes).", json, StringComparison.Ordinal);
        Assert.Contains($"{Utc}  4242", json, StringComparison.Ordinal);
        Assert.DoesNotContain(SlackDate, message["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(ReplyTime.Marker, json);
        Assert.DoesNotContain(ReplyTime.RelativeMarker, json);
    }

    [Fact]
    public void Discord_shows_long_and_relative_timestamps_in_content_fields_and_description_and_utc_in_the_footer()
    {
        var message = DiscordRenderer.Render(Everywhere());
        var json = message.ToJsonString(Raw);
        var embed = message["embeds"]![0]!;

        Assert.Equal($"pid 4242: terminate confirmed by bob at {DiscordDate}", message["content"]!.GetValue<string>());
        Assert.Equal(DiscordDate, embed["fields"]![0]!["value"]!.GetValue<string>());
        // <t:…:R> already says "in 5 minutes": the core's own "(5 minutes)" would say it twice.
        Assert.Contains($"This confirmation expires at {DiscordDate}.", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("(5 minutes)", json, StringComparison.Ordinal);
        Assert.Contains("\n2026-11-25 13:00:00", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"from the audit log, as of {Utc}", embed["footer"]!["text"]!.GetValue<string>());
        Assert.DoesNotContain(ReplyTime.Marker, json);
    }

    [Fact]
    public void Relative_markers_smuggled_in_from_the_database_never_hide_a_line_on_discord()
    {
        var r = ReplyTime.RelativeMarker;
        var reply = new Reply
        {
            Kind = ReplyKind.Confirmation,
            Title = "t",
            Table = new ReplyTable(["pid", "query"], [["1", $"select 1 {r}"], ["2", "select 2"], ["3", $"select 3{r}"]], 3),
            Notes = [$"at {Format.At(At)}"],
        };

        var description = DiscordRenderer.Render(reply)["embeds"]![0]!["description"]!.GetValue<string>();

        Assert.Contains("select 2", description, StringComparison.Ordinal);
        Assert.Contains("select 3", description, StringComparison.Ordinal);
        Assert.DoesNotContain(r, description);
    }

    [Fact]
    public void A_display_name_carrying_relative_markers_cannot_hide_words_on_discord()
    {
        var r = ReplyTime.RelativeMarker;
        var reply = new Reply
        {
            Kind = ReplyKind.Outcome,
            Title = "t",
            Notes = [$"Confirmed by mallory{r} (not by alice){r}, expires at {Format.At(At)}{ReplyTime.Relative(" (5 minutes)")}."],
        };

        var description = DiscordRenderer.Render(reply)["embeds"]![0]!["description"]!.GetValue<string>();

        Assert.Contains("mallory (not by alice), expires at", description, StringComparison.Ordinal);
        Assert.DoesNotContain("(5 minutes)", description, StringComparison.Ordinal);
        Assert.DoesNotContain(r, description);
    }

    [Fact]
    public void A_marker_smuggled_in_from_the_database_can_only_ever_become_a_date()
    {
        var query = $"select '{Utc}{ReplyTime.Marker}' <!channel> @everyone";
        var reply = new Reply { Kind = ReplyKind.Info, Title = "t", Notes = [query, $"at {Format.At(At)}"] };

        var slack = BlockKitRenderer.Render(reply).ToJsonString(Raw);
        var discord = DiscordRenderer.Render(reply).ToJsonString(Raw);

        Assert.Contains("&lt;!channel&gt;", slack, StringComparison.Ordinal);
        Assert.Contains("\\\\<!channel>", discord, StringComparison.Ordinal);
        Assert.Contains("\\\\@everyone", discord, StringComparison.Ordinal);
    }
}
