using System.Text;
using PgChatOps.Artifacts;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>Slack's text escaping: only <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are control characters in message text.</summary>
public static class SlackText
{
    /// <summary>What Slack sent (slash command or message text) back to what the user typed.</summary>
    public static string Unescape(string text) =>
        text.Replace("&lt;", "<", StringComparison.Ordinal)
            .Replace("&gt;", ">", StringComparison.Ordinal)
            .Replace("&amp;", "&", StringComparison.Ordinal);

    /// <summary>Replaces lone surrogates (not valid Unicode, so not valid in a JSON message) with U+FFFD.</summary>
    public static string Clean(string text)
    {
        if (!text.Any(char.IsSurrogate))
        {
            return text;
        }
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }
        return new string(chars);
    }

    /// <summary>
    /// Like <see cref="Fit"/>, for mrkdwn text that Slack renders: each <see cref="ReplyTime"/> becomes Slack's date
    /// markup (the reader's local date and time, with a UTC fallback). When the markup would not fit, the UTC text.
    /// </summary>
    public static string FitRich(string? text, int max)
    {
        if (text is null || !ReplyTime.In(text))
        {
            return Fit(text, max);
        }
        // Escaping leaves the tokens whole (digits, dashes, colons, "UTC" and the marker), so they resolve after it.
        var rich = ReplyTime.Resolve(Escaped(text, int.MaxValue), at => LocalTimeMarkup.Slack(at));
        return rich.Length <= max ? rich : Fit(text, max);
    }

    /// <summary>Escapes text for mrkdwn so it can never mention anyone, link anywhere or break formatting.</summary>
    public static string Escape(string text) => Fit(text, int.MaxValue);

    /// <summary>
    /// Escapes <paramref name="text"/> and cuts it so that the escaped result is at most <paramref name="max"/>
    /// characters, ending with an ellipsis when cut. Never splits an escape sequence or a surrogate pair.
    /// </summary>
    public static string Fit(string? text, int max) =>
        max <= 0 || string.IsNullOrEmpty(text) ? "" : Escaped(ReplyTime.Plain(text), max);

    private static string Escaped(string text, int max)
    {
        var sb = new StringBuilder(Math.Min(text.Length + 16, 4096));
        var cutAt = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? piece = c switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", _ => null };
            var pair = i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1]);
            if (piece is null && char.IsSurrogate(c) && !pair)
            {
                piece = "\uFFFD";
            }
            var width = piece?.Length ?? (pair ? 2 : 1);
            if (cutAt < 0 && sb.Length + width > max - 1)
            {
                // From here on only an unescaped tail that fits exactly could avoid the ellipsis.
                cutAt = sb.Length;
            }
            if (sb.Length + width > max)
            {
                sb.Length = cutAt;
                return sb.Append('…').ToString();
            }
            if (piece is not null)
            {
                sb.Append(piece);
            }
            else
            {
                sb.Append(text, i, width);
                i += width - 1;
            }
        }
        return sb.ToString();
    }
}
