using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Tests.Replies;

/// <summary>Issue #10 item 5: whatever the database says, the console never passes a control sequence to the terminal.</summary>
public sealed class ConsoleEscapingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private const string Clear = "\u001B[2J";
    private const string Title = "\u001B]0;owned\u0007";

    private static SessionInfo Hostile() => new()
    {
        Pid = 4242,
        BackendStart = Now.UtcDateTime.AddHours(-1),
        User = "mallory" + Clear,
        Database = "shop\u0007",
        Application = "app\u009B31m\u202Egnp.exe",
        Client = "10.1.2.3",
        State = "active",
        InState = TimeSpan.FromSeconds(5),
        Query = "SELECT 1 " + Title + "\rDROP TABLE x\u0000",
    };

    private static void AssertInert(string output)
    {
        foreach (var c in output)
        {
            Assert.False(char.IsControl(c) && c != '\n', $"U+{(int)c:X4} reached the terminal in:\n{output}");
            Assert.False(c is '\u202E' or '\u202D' or '\u2066' or '\u2067' or '\u2068', $"bidi control U+{(int)c:X4} reached the terminal");
        }
    }

    [Fact]
    public void Item5_a_show_reply_prints_every_control_character_visibly()
    {
        var reply = global::PgChatOps.Replies.Replies.Show("prod", new SessionDetail(Hostile(), 0, null, null, null, null, null, null, 40),
            new PgChatOps.Actions.ProtectionPolicy(Microsoft.Extensions.Options.Options.Create(new PgChatOps.Hosting.PgChatOpsOptions())), Now, showQuery: true);

        var output = TextRenderer.Render(reply);

        AssertInert(output);
        Assert.Contains(@"mallory\x1B[2J", output, StringComparison.Ordinal);
        Assert.Contains(@"shop\x07", output, StringComparison.Ordinal);
        Assert.Contains(@"app\x9B31m\u202Egnp.exe", output, StringComparison.Ordinal);
        Assert.Contains(@"SELECT 1 \x1B]0;owned\x07\x0DDROP TABLE x\x00", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Item5_a_sessions_table_prints_every_control_character_visibly()
    {
        var command = CommandParser.Parse("sessions").Command!;
        var reply = global::PgChatOps.Replies.Replies.Sessions("prod", command, new SessionPage([Hostile()], 1, 1, 0, 0, 0), Now);

        var output = TextRenderer.Render(reply);

        AssertInert(output);
        Assert.Contains(@"mallory\x1B[2J", output, StringComparison.Ordinal);
        // On one line a carriage return is just white space, folded like a line break.
        Assert.Contains(@"SELECT 1 \x1B]0;owned\x07 DROP", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Item5_titles_notes_and_buttons_are_escaped_too_and_windows_line_breaks_stay_line_breaks()
    {
        var reply = new Reply
        {
            Kind = ReplyKind.Confirmation,
            Title = "Kill " + Clear,
            Context = "ctx\u0007",
            Notes = ["query:\r\nSELECT 1\r\nFROM t " + Title],
            Buttons = [new ReplyButton(ButtonRole.Confirm, Guid.Empty, "Go\u001B[5m")],
        };

        var output = TextRenderer.Render(reply);

        AssertInert(output);
        Assert.Contains(@"Kill \x1B[2J", output, StringComparison.Ordinal);
        Assert.Contains(@"ctx\x07", output, StringComparison.Ordinal);
        Assert.Contains("query:\nSELECT 1\nFROM t \\x1B]0;owned\\x07", output, StringComparison.Ordinal);
        Assert.Contains(@"[Go\x1B[5m]", output, StringComparison.Ordinal);
    }
}
