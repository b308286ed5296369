using CsCheck;
using PgChatOps.Slack;

namespace PgChatOps.Tests.Slack;

public sealed class SlackTextTests
{
    [Fact]
    public void Slash_command_text_is_unescaped_once()
    {
        Assert.Equal("sessions query~a<b & c>d", SlackText.Unescape("sessions query~a&lt;b &amp; c&gt;d"));
        Assert.Equal("&lt;", SlackText.Unescape("&amp;lt;"));
    }

    [Fact]
    public void Escaping_removes_every_control_character()
    {
        Assert.Equal("&lt;@U1&gt; &amp; &lt;!here&gt;", SlackText.Escape("<@U1> & <!here>"));
    }

    [Fact]
    public void Fitting_never_exceeds_the_limit_nor_splits_an_escape() =>
        Gen.Select(Gen.Char["<>&a\uD83D\uDE00"].Array[0, 200].Select(c => new string(c)), Gen.Int[1, 250]).Sample((text, max) =>
        {
            var fitted = SlackText.Fit(text, max);
            var escaped = SlackText.Escape(text);
            var cut = escaped.Length > max;
            var body = cut ? fitted[..^1] : fitted;
            return fitted.Length <= max
                && (cut ? fitted.EndsWith('…') && escaped.StartsWith(body, StringComparison.Ordinal) : fitted == escaped)
                && !System.Text.RegularExpressions.Regex.IsMatch(body, "&(?!amp;|lt;|gt;)")
                && !(body.Length > 0 && char.IsHighSurrogate(body[^1]) && cut);
        });
}
