using System.Globalization;

namespace PgChatOps.Artifacts;

/// <summary>
/// Times that each reader sees in their own time zone (PROTOCOLS.md §16.3, §16.5). Slack's date token carries a
/// fallback, for clients that cannot render it, in UTC; Discord's timestamp has none, so where it would show
/// literally (embed titles, footers, author, field names) use <see cref="Utc"/>. Only mrkdwn text renders Slack's
/// token (not header blocks or plain_text).
/// </summary>
public static class LocalTimeMarkup
{
    private const string DiscordStyles = "tTdDfFsSR";

    /// <summary><c>2026-11-25 13:20 UTC</c> (or with seconds): the fallback, and the form for plain-text places.</summary>
    public static string Utc(DateTimeOffset at, bool withSeconds = false) =>
        at.UtcDateTime.ToString(withSeconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>
    /// <c>&lt;!date^1795612800^{date_short_pretty} {time}|2026-11-25 13:20 UTC&gt;</c>: "today 14:20" for a reader in
    /// Paris, "Nov 25, 2026 …" further away, and the UTC text where Slack cannot render it.
    /// </summary>
    public static string Slack(DateTimeOffset at, bool withSeconds = false) =>
        $"<!date^{Unix(at)}^{{date_short_pretty}} {(withSeconds ? "{time_secs}" : "{time}")}|{Utc(at, withSeconds)}>";

    /// <summary><c>&lt;!date^1795612800^{ago}|2026-11-25 13:20 UTC&gt;</c>: "3 minutes ago".</summary>
    public static string SlackAgo(DateTimeOffset at) => $"<!date^{Unix(at)}^{{ago}}|{Utc(at)}>";

    /// <summary><c>&lt;t:1795612800:f&gt;</c>: "November 25, 2026 at 14:20" in the reader's zone and locale.</summary>
    public static string DiscordLong(DateTimeOffset at) => DiscordTimestamp(at, 'f');

    /// <summary><c>&lt;t:1795612800:R&gt;</c>: "3 minutes ago", kept current by the client.</summary>
    public static string DiscordRelative(DateTimeOffset at) => DiscordTimestamp(at, 'R');

    /// <summary><c>&lt;t:…:f&gt; (&lt;t:…:R&gt;)</c>: when, and how long ago.</summary>
    public static string Discord(DateTimeOffset at) => $"{DiscordLong(at)} ({DiscordRelative(at)})";

    /// <summary>Any documented style: t T d D f F s S R.</summary>
    public static string DiscordTimestamp(DateTimeOffset at, char style)
    {
        if (!DiscordStyles.Contains(style, StringComparison.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(style), style, $"Discord timestamp styles are {DiscordStyles}.");
        }
        return $"<t:{Unix(at)}:{style}>";
    }

    /// <summary>Whole seconds since the epoch, rounded down (a time never shows later than it was).</summary>
    private static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
