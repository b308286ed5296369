using CsCheck;
using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

/// <summary>Issue #10 item 5: input the audit log cannot store is refused by the parser, so its refusal is recorded.</summary>
public sealed class UnrecordableInputTests
{
    [Theory]
    [InlineData("sessions app=\u0000", "U+0000 (NUL)", 14)]
    [InlineData("sessions app=a\u001B[2J", "U+001B (ESC)", 15)]
    [InlineData("sessions user=\u0007", "U+0007 (BEL)", 15)]
    [InlineData("kill query~\"x\u007F\"", "U+007F (DEL)", 14)]
    [InlineData("sessions app=\u009B31m", "U+009B (CSI)", 14)]
    [InlineData("sessions \u0001", "U+0001 (control)", 10)]
    public void Item5_control_characters_and_lone_surrogates_are_refused_with_a_message_naming_them(string text, string named, int position)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(
            $"Position {position} holds {named}, which the audit log cannot store: nothing was run. Use printable characters, e.g. `/pg sessions app=myapp`.",
            result.Error);
        Assert.True(result.Error!.Length <= 146, "fits a Slack header after its marker");
        Assert.Null(CommandParser.Unrecordable(result.Error!));
    }

    [Fact]
    public void Item5_lone_surrogates_are_refused_as_invalid_unicode()
    {
        // Not in InlineData: xunit's serialisation of test cases would replace them.
        foreach (var (text, named, position) in new[] { ("sessions app=\uD800", "U+D800", 14), ("sessions app=x\uDC00y", "U+DC00", 15) })
        {
            var result = CommandParser.Parse(text);

            Assert.False(result.IsSuccess);
            Assert.StartsWith($"Position {position} holds {named} (half a surrogate pair, invalid Unicode), which the audit log cannot store", result.Error, StringComparison.Ordinal);
            Assert.Null(CommandParser.Unrecordable(result.Error!));
        }
    }

    [Fact]
    public void Item5_discord_style_options_with_a_NUL_are_refused_too()
    {
        var result = CommandParser.Parse("sessions", [new CommandArgument("app", "=", "a\u0000", "app=a\u0000")]);

        Assert.False(result.IsSuccess);
        Assert.Contains("U+0000 (NUL)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Item5_tabs_line_breaks_and_emoji_are_still_fine()
    {
        Assert.True(CommandParser.Parse("sessions\tapp=a\r\nuser=b query~\"😀\"").IsSuccess);
    }

    [Fact]
    public void Item5_whatever_the_input_an_accepted_command_and_every_error_can_be_stored()
    {
        Gen.Char.Array[0, 80].Select(c => new string(c)).Sample(text =>
        {
            var result = CommandParser.Parse(text);
            var stored = result.IsSuccess ? result.Command!.Text + result.Command.Filter : result.Error!;
            Assert.Null(CommandParser.Unrecordable(stored));
            Assert.DoesNotContain('\0', stored);
        }, iter: 50_000);
    }
}
