using PgChatOps.Artifacts;

namespace PgChatOps.Tests.Artifacts;

public sealed class LocalTimeMarkupTests
{
    // 2026-11-25 13:20:07.900 UTC, given in Paris time: the markup must not depend on the offset it came with.
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 11, 25, 14, 20, 7, TimeSpan.FromHours(1)).AddMilliseconds(900);
    private const long Unix = 1795612807; // date -u -d @1795612807: Wed Nov 25 13:20:07 UTC 2026

    [Fact]
    public void Slack_shows_the_readers_local_date_and_time_with_a_utc_fallback()
    {
        Assert.Equal($"<!date^{Unix}^{{date_short_pretty}} {{time}}|2026-11-25 13:20 UTC>", LocalTimeMarkup.Slack(At));
    }

    [Fact]
    public void Slack_can_show_seconds_in_both_the_token_and_the_fallback()
    {
        Assert.Equal($"<!date^{Unix}^{{date_short_pretty}} {{time_secs}}|2026-11-25 13:20:07 UTC>", LocalTimeMarkup.Slack(At, withSeconds: true));
    }

    [Fact]
    public void Slack_ago_reads_as_how_long_ago_with_the_same_fallback()
    {
        Assert.Equal($"<!date^{Unix}^{{ago}}|2026-11-25 13:20 UTC>", LocalTimeMarkup.SlackAgo(At));
    }

    [Fact]
    public void Discord_shows_the_long_date_and_the_relative_time_in_seconds_since_the_epoch()
    {
        Assert.Equal($"<t:{Unix}:f>", LocalTimeMarkup.DiscordLong(At));
        Assert.Equal($"<t:{Unix}:R>", LocalTimeMarkup.DiscordRelative(At));
        Assert.Equal($"<t:{Unix}:f> (<t:{Unix}:R>)", LocalTimeMarkup.Discord(At));
    }

    [Theory]
    [InlineData('t')]
    [InlineData('T')]
    [InlineData('d')]
    [InlineData('D')]
    [InlineData('F')]
    [InlineData('s')]
    [InlineData('S')]
    public void Every_documented_discord_style_is_accepted(char style)
    {
        Assert.Equal($"<t:{Unix}:{style}>", LocalTimeMarkup.DiscordTimestamp(At, style));
    }

    [Fact]
    public void An_undocumented_discord_style_is_refused_rather_than_shown_raw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LocalTimeMarkup.DiscordTimestamp(At, 'x'));
    }

    [Fact]
    public void The_plain_fallback_is_utc_and_iso_like()
    {
        Assert.Equal("2026-11-25 13:20 UTC", LocalTimeMarkup.Utc(At));
        Assert.Equal("2026-11-25 13:20:07 UTC", LocalTimeMarkup.Utc(At, withSeconds: true));
    }

    [Fact]
    public void A_time_before_a_whole_second_never_rounds_up()
    {
        var justBefore = DateTimeOffset.FromUnixTimeSeconds(Unix + 1).AddTicks(-1);

        Assert.Equal($"<t:{Unix}:f>", LocalTimeMarkup.DiscordLong(justBefore));
    }
}
