using System.Globalization;
using Humanizer;

namespace PgChatOps.Replies;

/// <summary>Small, shared ways of writing values for people.</summary>
public static class Format
{
    /// <summary>"3 minutes", "2 hours", "12 seconds".</summary>
    public static string Duration(TimeSpan? span)
    {
        if (span is not { } s)
        {
            return "";
        }
        if (s < TimeSpan.FromSeconds(1))
        {
            return s < TimeSpan.Zero ? "0 seconds" : "under a second";
        }
        return s.Humanize(precision: 1, minUnit: TimeUnit.Second, maxUnit: TimeUnit.Day, culture: CultureInfo.InvariantCulture);
    }

    /// <summary>Cuts text to at most <paramref name="max"/> characters, ending with an ellipsis when cut. One line.</summary>
    public static string Truncate(string? text, int max)
    {
        if (string.IsNullOrEmpty(text) || max <= 0)
        {
            return "";
        }
        var oneLine = OneLine(ReplyTime.Plain(text));
        if (oneLine.Length <= max)
        {
            return oneLine;
        }
        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(oneLine[cut - 1]))
        {
            cut--;
        }
        return oneLine[..cut] + "…";
    }

    /// <summary>Cuts multi-line text to at most <paramref name="max"/> characters, keeping line breaks.</summary>
    public static string TruncateBlock(string? text, int max)
    {
        if (string.IsNullOrEmpty(text) || max <= 0)
        {
            return "";
        }
        text = ReplyTime.Plain(text);
        if (text.Length <= max)
        {
            return text;
        }
        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return text[..cut] + "…";
    }

    /// <summary>
    /// Folds line breaks and runs of white space into single spaces. Leading plain spaces (tree indentation) stay.
    /// Other invisible characters are shown as in <see cref="Visible"/>.
    /// </summary>
    public static string OneLine(string text)
    {
        text = ReplyTime.Plain(text);
        var indent = 0;
        while (indent < text.Length && text[indent] == ' ')
        {
            indent++;
        }
        var sb = new System.Text.StringBuilder(text.Length);
        sb.Append(' ', indent);
        var space = false;
        for (var i = indent; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > indent;
                continue;
            }
            if (space)
            {
                sb.Append(' ');
                space = false;
            }
            i += AppendVisible(sb, text, i);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Makes text safe to print on a terminal and honest to read anywhere: control characters (ESC, BEL, NUL, DEL,
    /// C1 such as CSI) become <c>\x1B</c>-style escapes, bidirectional overrides (which reorder what is shown)
    /// become <c>\u202E</c>-style escapes, and an unpaired surrogate becomes U+FFFD. Tabs and line feeds stay.
    /// </summary>
    public static string Visible(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        text = ReplyTime.Plain(text);
        var i = 0;
        while (i < text.Length && !NeedsEscape(text[i]))
        {
            i++;
        }
        if (i == text.Length)
        {
            return text;
        }
        var sb = new System.Text.StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\t' or '\n')
            {
                sb.Append(c);
                continue;
            }
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                // A Windows line break is a line break; only a lone carriage return could overwrite what is shown.
                continue;
            }
            i += AppendVisible(sb, text, i);
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => (char.IsControl(c) && c is not ('\t' or '\n')) || char.IsSurrogate(c) || IsBidiControl(c);

    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Appends the character at <paramref name="i"/> in visible form; returns how many extra chars it used.</summary>
    private static int AppendVisible(System.Text.StringBuilder sb, string text, int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            sb.Append(c).Append(text[i + 1]);
            return 1;
        }
        if (char.IsSurrogate(c))
        {
            sb.Append('\uFFFD');
        }
        else if (char.IsControl(c))
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
        }
        else if (IsBidiControl(c))
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        else
        {
            sb.Append(c);
        }
        return 0;
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Time(DateTime at) => Time(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)));

    /// <summary>A moment in reply text, shown in each reader's own time where the platform can (<see cref="ReplyTime"/>); UTC elsewhere.</summary>
    public static string At(DateTimeOffset at) => ReplyTime.Token(at);

    /// <inheritdoc cref="At(DateTimeOffset)"/>
    public static string At(DateTime at) => ReplyTime.Token(at);

    /// <summary>"1 session", "3 sessions".</summary>
    public static string Count(int n, string noun) => noun.ToQuantity(n);

    /// <summary>"… 5 more sessions not shown: add limit=50." or null when nothing was cut.</summary>
    public static string? MoreLine(ReplyTable table)
    {
        if (table.HiddenRows <= 0)
        {
            return null;
        }
        var noun = table.HiddenRows == 1 ? table.RowNoun.TrimEnd('s') : table.RowNoun;
        var hint = table.MoreHint is { Length: > 0 } h ? ": " + h : "";
        return $"… {table.HiddenRows:N0} more {noun} not shown{hint}.";
    }
}
