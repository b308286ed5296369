using System.Text.Json.Nodes;
using PgChatOps.Commands;
using PgChatOps.Discord;
using PgChatOps.Replies;
using PgChatOps.Slack;

namespace PgChatOps.Tests.Replies;

/// <summary>Issue 13 item 3: a list that hides rows offers them all as a CSV by a button, while no file is attached.</summary>
public sealed class WholeListButtonTests
{
    private static readonly Reply List = new()
    {
        Kind = ReplyKind.Info,
        Title = "30 sessions on prod",
        Table = new ReplyTable(["pid"], [["1"], ["2"]], 30),
    };

    private static Command Command(string text) => CommandParser.Parse(text).Command!;

    private static Reply Hiding(string text = "sessions user=app*") =>
        SnapshotReplies.WithWholeList(List, "prod", Command(text), null, total: 30, shown: 2);

    private static IEnumerable<JsonObject> SlackButtons(Reply reply) =>
        BlockKitRenderer.Render(reply)["blocks"]!.AsArray().OfType<JsonObject>()
            .Where(b => b["type"]!.GetValue<string>() == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>());

    private static IEnumerable<JsonObject> DiscordButtons(Reply reply) =>
        DiscordRenderer.Render(reply)["components"]!.AsArray().OfType<JsonObject>()
            .SelectMany(r => r["components"]!.AsArray().OfType<JsonObject>());

    [Fact]
    public void A_list_that_hides_rows_carries_the_button_with_its_command_and_target()
    {
        var reply = Hiding();

        var slack = Assert.Single(SlackButtons(reply));
        Assert.Equal("pgchatops.csv", slack["action_id"]!.GetValue<string>());
        Assert.Equal("sessions user=app* target=prod", slack["value"]!.GetValue<string>());
        Assert.Equal("Whole list as CSV", slack["text"]!["text"]!.GetValue<string>());

        var discord = Assert.Single(DiscordButtons(reply));
        Assert.Equal("pgchatops.csv:sessions user=app* target=prod", discord["custom_id"]!.GetValue<string>());
        Assert.Equal("Whole list as CSV", discord["label"]!.GetValue<string>());

        // The console and plain text keep the line that says what to type.
        Assert.Contains("/pg sessions user=app* csv", TextRenderer.Render(reply), StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_that_names_its_target_is_carried_as_typed()
    {
        Assert.Equal("sessions target=prod state=idle", Assert.Single(SlackButtons(Hiding("sessions target=prod state=idle")))["value"]!.GetValue<string>());
    }

    [Fact]
    public void A_list_that_hides_nothing_has_no_button()
    {
        var reply = SnapshotReplies.WithWholeList(List with { Table = List.Table! with { TotalRows = 2 } }, "prod", Command("sessions"), null, total: 2, shown: 2);

        Assert.Null(reply.WholeList);
        Assert.Empty(SlackButtons(reply));
        Assert.Empty(DiscordButtons(reply));
    }

    [Fact]
    public void A_list_with_its_file_attached_has_no_button()
    {
        var reply = Hiding() with { Files = [new ReplyFile("sessions.csv", ReplyFile.Csv, new byte[] { 1 })] };

        Assert.Empty(SlackButtons(reply));
        Assert.Empty(DiscordButtons(reply));
    }

    [Fact]
    public void A_command_too_long_for_a_custom_id_gets_no_discord_button_but_keeps_the_hint()
    {
        var reply = Hiding("sessions query~" + new string('x', 120));

        Assert.Empty(DiscordButtons(reply));
        Assert.Single(SlackButtons(reply));
        Assert.Contains("as a CSV file", TextRenderer.Render(reply), StringComparison.Ordinal);
    }

    [Fact]
    public void The_button_sits_beside_confirmation_buttons_without_replacing_them()
    {
        var reply = Hiding() with { Buttons = [new ReplyButton(ButtonRole.Confirm, Guid.NewGuid(), "Go"), new ReplyButton(ButtonRole.Abort, Guid.NewGuid(), "Stop")] };

        Assert.Equal(["pgchatops.confirm", "pgchatops.abort", "pgchatops.csv"], SlackButtons(reply).Select(b => b["action_id"]!.GetValue<string>()));
        Assert.Equal(3, DiscordButtons(reply).Count());
    }
}
