using PgChatOps.Slack;

namespace PgChatOps.Tests.Slack;

public sealed class SlackEventsTests
{
    [Theory]
    [InlineData("<@UBOT> sessions user=app", "UBOT", "sessions user=app")]
    [InlineData("<@UBOT|pgchatops> kill 42", "UBOT", "kill 42")]
    [InlineData("hey <@UBOT> /pg summary", "UBOT", "hey   /pg summary")]
    [InlineData("<@UBOT> /pg sessions query~a&lt;b", "UBOT", "sessions query~a<b")]
    [InlineData("<@UBOT> help", null, "help")]
    [InlineData("<@UBOT>", "UBOT", "")]
    public void A_mention_becomes_the_command_text(string text, string? bot, string expected)
    {
        Assert.Equal(expected, SlackEvents.CommandText(text, bot));
    }
}
