using System.Globalization;
using System.Text.RegularExpressions;

namespace PgChatOps.Replies;

/// <summary>
/// A moment in a reply's text that each renderer shows to its reader (issue 13 item 6). The core writes
/// <see cref="Token"/>: the UTC text of <see cref="Format.Time(DateTimeOffset)"/> followed by an invisible marker,
/// so that text read without a renderer still says the right time. A renderer that can show local time (Slack
/// mrkdwn, Discord markdown) swaps each token for its markup with <see cref="Resolve"/>; every other place
/// (plain text, the console, headers, code blocks, footers) gets the UTC text from <see cref="Plain"/>, which
/// <see cref="Format.Truncate"/>, <see cref="Format.OneLine"/> and <see cref="Format.Visible"/> apply by themselves.
/// </summary>
public static partial class ReplyTime
{
    /// <summary>U+2063 INVISIBLE SEPARATOR: nothing to see where it is left in by mistake.</summary>
    public const char Marker = '\u2063';

    /// <summary>
    /// U+2064 INVISIBLE PLUS, around a "how long from now" that only repeats what the token before it says, for a
    /// renderer whose markup already shows relative time (Discord's <c>&lt;t:…:R&gt;</c>) to leave out.
    /// </summary>
    public const char RelativeMarker = '\u2064';

    private const string Pattern = "yyyy-MM-dd HH:mm:ss";

    /// <summary><paramref name="text"/> (e.g. " (5 minutes)") marked as the preceding token's relative time: see <see cref="RelativeMarker"/>.</summary>
    public static string Relative(string text) => RelativeMarker + text + RelativeMarker;

    public static string Token(DateTimeOffset at) => Format.Time(at) + Marker;

    public static string Token(DateTime at) => Token(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)));

    public static bool In(string? text) => text is not null && text.Contains(Marker, StringComparison.Ordinal);

    /// <summary>How many tokens <paramref name="text"/> holds.</summary>
    public static int Count(string text) => Tokens().Count(text);

    /// <summary>The text with every token as its UTC text, and no marker left.</summary>
    public static string Plain(string text) =>
        In(text) || text.Contains(RelativeMarker, StringComparison.Ordinal)
            ? text.Replace(Marker.ToString(), "", StringComparison.Ordinal).Replace(RelativeMarker.ToString(), "", StringComparison.Ordinal)
            : text;

    /// <summary>
    /// Each token replaced by <paramref name="markup"/> of its moment. Run it on text already escaped for the
    /// platform: the markup must not be escaped, and the token's UTC text has nothing an escaper changes.
    /// </summary>
    /// <param name="showsRelative">The markup already says how long from now: text marked <see cref="Relative"/> is left out.</param>
    public static string Resolve(string text, Func<DateTimeOffset, string> markup, bool showsRelative = false)
    {
        if (!In(text))
        {
            return Plain(text);
        }
        if (showsRelative)
        {
            text = RelativeText().Replace(text, "");
        }
        var resolved = Tokens().Replace(text, m =>
            DateTime.TryParseExact(m.Groups["utc"].Value, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
                ? markup(new DateTimeOffset(at, TimeSpan.Zero))
                : m.Groups["utc"].Value + " UTC");
        return Plain(resolved);
    }

    // Only a short parenthesis of words and digits on one line, right after a time token: a marker smuggled in with a
    // query text or a display name can never hide a row, a line of a preview, or words of its own choosing.
    [GeneratedRegex("(?<=\\d{2}:\\d{2}:\\d{2} UTC\u2063)\u2064 \\([0-9A-Za-z ,.]{1,40}\\)\u2064", RegexOptions.CultureInvariant)]
    private static partial Regex RelativeText();

    [GeneratedRegex(@"(?<utc>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC\u2063", RegexOptions.CultureInvariant)]
    private static partial Regex Tokens();
}
