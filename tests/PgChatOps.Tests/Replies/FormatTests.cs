using PgChatOps.Replies;

namespace PgChatOps.Tests.Replies;

public sealed class FormatTests
{
    [Theory]
    [InlineData(3 * 60, "3 minutes")]
    [InlineData(2 * 3600, "2 hours")]
    [InlineData(1, "1 second")]
    [InlineData(12, "12 seconds")]
    [InlineData(60, "1 minute")]
    [InlineData(90 * 60, "1 hour")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(400 * 86400, "400 days")]
    public void Durations_are_humanized(int seconds, string expected)
    {
        Assert.Equal(expected, Format.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Short_negative_and_missing_durations_read_plainly()
    {
        Assert.Equal("under a second", Format.Duration(TimeSpan.FromMilliseconds(400)));
        Assert.Equal("0 seconds", Format.Duration(TimeSpan.FromSeconds(-2)));
        Assert.Equal("", Format.Duration(null));
    }

    [Fact]
    public void Long_text_is_cut_with_an_ellipsis_to_the_exact_length()
    {
        var text = new string('q', 100);

        var cut = Format.Truncate(text, 60);

        Assert.Equal(60, cut.Length);
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
        Assert.Equal(new string('q', 59), cut[..59]);
        Assert.Equal("short", Format.Truncate("short", 60));
    }

    [Fact]
    public void Truncated_text_is_one_line_and_never_splits_a_surrogate_pair()
    {
        Assert.Equal("SELECT * FROM t WHERE x = 1", Format.Truncate("SELECT *\n  FROM t\r\n\tWHERE x = 1", 60));
        var emoji = new string('a', 58) + "😀😀";

        var cut = Format.Truncate(emoji, 60);

        Assert.Equal(new string('a', 58) + "…", cut);
    }

    [Theory]
    [InlineData(5, 10, "sessions", "add limit=50", "… 5 more sessions not shown: add limit=50.")]
    [InlineData(1, 10, "sessions", "add limit=50", "… 1 more session not shown: add limit=50.")]
    [InlineData(1234, 20, "sessions", null, "… 1,234 more sessions not shown.")]
    [InlineData(2, 3, "rows", null, "… 2 more rows not shown.")]
    public void The_more_line_counts_what_is_hidden(int hidden, int shown, string noun, string? hint, string expected)
    {
        var rows = Enumerable.Range(0, shown).Select(i => (IReadOnlyList<string>)[i.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ToList();
        var table = new ReplyTable(["pid"], rows, shown + hidden) { MoreHint = hint, RowNoun = noun };

        Assert.Equal(expected, Format.MoreLine(table));
    }

    [Fact]
    public void Nothing_hidden_means_no_more_line()
    {
        Assert.Null(Format.MoreLine(new ReplyTable(["pid"], [["1"]], 1)));
    }

    [Fact]
    public void Counts_use_the_right_number()
    {
        Assert.Equal("1 session", Format.Count(1, "session"));
        Assert.Equal("3 sessions", Format.Count(3, "session"));
        Assert.Equal("0 sessions", Format.Count(0, "session"));
    }
}
