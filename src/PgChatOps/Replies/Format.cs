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
        var oneLine = OneLine(text);
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

    /// <summary>Folds line breaks and runs of white space into single spaces. Leading plain spaces (tree indentation) stay.</summary>
    public static string OneLine(string text)
    {
        var indent = 0;
        while (indent < text.Length && text[indent] == ' ')
        {
            indent++;
        }
        var sb = new System.Text.StringBuilder(text.Length);
        sb.Append(' ', indent);
        var space = false;
        foreach (var c in text.AsSpan(indent))
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > indent;
                continue;
            }
            if (space)
            {
                sb.Append(' ');
                space = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Time(DateTime at) => Time(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)));

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
