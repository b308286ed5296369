namespace PgChatOps.Tests.Discord;

/// <summary>
/// Reads message text as Discord's markdown would, and lists every spot where text outside code could become
/// formatting, a link or a mention. Conservative: any unescaped character that could start markup counts.
/// Discord shows a backslash followed by a punctuation character as that character alone; code spans and code
/// blocks (matching runs of backticks) show their contents literally.
/// </summary>
internal static class DiscordMarkup
{
    /// <summary>The one markup the renderer writes itself: a timestamp (PROTOCOLS.md §16.5), never from input.</summary>
    private static readonly System.Text.RegularExpressions.Regex Timestamp = new(@"<t:\d{1,12}:[tTdDfFsSR]>");

    public static List<string> Live(string text)
    {
        text = Timestamp.Replace(text, "T");
        var live = new List<string>();
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && !char.IsLetterOrDigit(text[i + 1]) && !char.IsWhiteSpace(text[i + 1]))
            {
                i++;
                lineStart = false;
                continue;
            }
            if (c == '`')
            {
                var run = 1;
                while (i + run < text.Length && text[i + run] == '`')
                {
                    run++;
                }
                var close = text.IndexOf(new string('`', run), i + run, StringComparison.Ordinal);
                if (close >= 0)
                {
                    i = close + run - 1;
                    lineStart = false;
                    continue;
                }
                i += run - 1;
                lineStart = false;
                continue;
            }
            var at = $"'{c}' at {i} in «{text}»";
            if (c is '*' or '_' or '~' or '|' or '[' or '<' or '@')
            {
                live.Add(at);
            }
            else if (c == ':' && text.AsSpan(i + 1).StartsWith("//", StringComparison.Ordinal))
            {
                live.Add("a URL " + at);
            }
            else if (lineStart && c is '#' or '>' or '-')
            {
                live.Add("a line-start " + at);
            }
            else if (lineStart && char.IsAsciiDigit(c))
            {
                var j = i;
                while (j < text.Length && char.IsAsciiDigit(text[j]))
                {
                    j++;
                }
                if (j < text.Length && text[j] == '.' && (j + 1 == text.Length || text[j + 1] == ' '))
                {
                    live.Add("a numbered list " + at);
                }
            }
            lineStart = c == '\n' || (lineStart && c == ' ');
        }
        return live;
    }
}
