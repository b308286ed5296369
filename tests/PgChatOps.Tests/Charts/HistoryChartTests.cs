using System.Buffers.Binary;
using PgChatOps.Charts;
using SkiaSharp;

namespace PgChatOps.Tests.Charts;

public sealed class HistoryChartTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 25, 13, 0, 0, TimeSpan.Zero);

    /// <summary>An hour of minute samples with every state present, and lock waits in the middle third.</summary>
    private static HistorySeries Busy(IReadOnlyList<IncidentSpan>? incidents = null, int waiting = 0) => new(
        "main",
        HistoryWindow.OneHour,
        End,
        Enumerable.Range(0, 61)
            .Select(m => new HistoryPoint(End.AddMinutes(m - 60), Active: 10, Idle: 20, IdleInTransaction: 6, Other: 4,
                Waiting: m is >= 20 and <= 40 ? waiting : 0, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5)))
            .ToList(),
        incidents ?? []);

    [Fact]
    public void The_chart_is_a_png_of_chat_preview_size()
    {
        var png = HistoryChart.RenderPng(Busy());

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(600, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public void The_chart_takes_the_size_the_caller_asks_for()
    {
        using var bitmap = Decode(HistoryChart.RenderPng(Busy(), 800, 400));

        Assert.Equal((800, 400), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Each_state_fills_a_large_area_in_its_own_colour()
    {
        using var bitmap = Decode(HistoryChart.RenderPng(Busy()));

        foreach (var (name, color, _) in HistoryChart.Layers)
        {
            // Far more than a legend swatch: the stacked area itself.
            Assert.True(Count(bitmap, Blended(color, 0.85)) > 5000, $"'{name}' covers too little of the chart");
        }
        Assert.True(NonBackground(bitmap) > bitmap.Width * bitmap.Height / 3, "most of the chart is blank");
    }

    [Fact]
    public void The_states_are_stacked_active_at_the_bottom_idle_on_top()
    {
        using var bitmap = Decode(HistoryChart.RenderPng(Busy()));
        var layers = HistoryChart.Layers.Select(l => (l.Name, Color: Blended(l.Color, 0.85))).ToList();

        var seen = new List<string>();
        var x = bitmap.Width / 2;
        for (var y = bitmap.Height * 85 / 100; y >= 0; y--)
        {
            var layer = layers.FirstOrDefault(l => Near(bitmap.GetPixel(x, y), l.Color));
            if (layer.Name is not null && (seen.Count == 0 || seen[^1] != layer.Name))
            {
                seen.Add(layer.Name);
            }
        }

        Assert.Equal(["active", "idle in transaction", "other", "idle"], seen);
    }

    [Fact]
    public void Lock_waits_are_drawn_as_a_red_line()
    {
        using var without = Decode(HistoryChart.RenderPng(Busy(waiting: 0)));
        using var with = Decode(HistoryChart.RenderPng(Busy(waiting: 25)));

        var red = Blended(HistoryChart.WaitingColor, 1);
        Assert.True(Count(with, red) > Count(without, red) + 200);
    }

    [Fact]
    public void An_incident_is_a_shaded_labelled_range()
    {
        var incident = new IncidentSpan(End.AddMinutes(-40), End.AddMinutes(-20), "blocking on main");
        using var plain = Decode(HistoryChart.RenderPng(Busy()));
        using var marked = Decode(HistoryChart.RenderPng(Busy([incident])));

        var shade = Blended(HistoryChart.IncidentColor.WithAlpha(1), HistoryChart.IncidentColor.Alpha / 255.0);
        Assert.True(Count(marked, shade) > 5000, "the incident's range is not shaded");
        Assert.True(Count(plain, shade) < 100, "a chart without incidents is shaded");

        // The shade sits in the middle third of the plot, where the incident is, not at the edges.
        var columns = Enumerable.Range(0, marked.Width).Where(x => Near(marked.GetPixel(x, marked.Height / 8 + 10), shade)).ToList();
        Assert.NotEmpty(columns);
        Assert.InRange(columns.Min(), marked.Width * 0.30, marked.Width * 0.45);
        Assert.InRange(columns.Max(), marked.Width * 0.60, marked.Width * 0.75);

        var labelRed = new SKColor(0xB7, 0x1C, 0x1C);
        Assert.True(Count(marked, labelRed, 40) > Count(plain, labelRed, 40) + 50, "the incident has no label");
    }

    [Fact]
    public void The_title_is_drawn_with_the_embedded_font()
    {
        using var bitmap = Decode(HistoryChart.RenderPng(Busy()));

        var titleInk = 0;
        for (var y = 0; y < 40; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                titleInk += bitmap.GetPixel(x, y).Red < 100 ? 1 : 0;
            }
        }
        Assert.True(titleInk > 1000, "the title is blank");
        Assert.Equal("DejaVu Sans", ChartFonts.Typeface(bold: false).FamilyName);
        Assert.True(ChartFonts.Typeface(bold: false).ContainsGlyphs(HistoryChart.Title(Busy())));
    }

    [Fact]
    public void An_empty_history_is_an_image_that_says_no_samples_yet()
    {
        var series = Busy() with { Points = [] };

        using var bitmap = Decode(HistoryChart.RenderPng(series));

        foreach (var (name, color, _) in HistoryChart.Layers)
        {
            Assert.True(Count(bitmap, Blended(color, 0.85)) < 50, $"'{name}' appears without samples");
        }
        var messageInk = 0;
        for (var y = bitmap.Height * 2 / 5; y < bitmap.Height * 3 / 5; y++)
        {
            for (var x = bitmap.Width / 4; x < bitmap.Width * 3 / 4; x++)
            {
                messageInk += Near(bitmap.GetPixel(x, y), new SKColor(0x69, 0x69, 0x69), 30) ? 1 : 0;
            }
        }
        Assert.True(messageInk > 500, "the middle of an empty chart says nothing");
        Assert.Equal("main, last 1h: no samples yet.", HistoryChart.Summary(series));
    }

    [Fact]
    public void A_week_of_samples_is_drawn_from_one_point_per_slice_keeping_brief_spikes()
    {
        var start = End.AddDays(-7);
        var points = Enumerable.Range(0, 20161)
            .Select(i => new HistoryPoint(start.AddSeconds(30 * i), 10, 40, 1, 1, i == 7000 ? 9 : 0, null, null))
            .ToList();
        points[12345] = points[12345] with { Active = 190 };

        var drawn = HistoryChart.Downsample(points, start, End, 600);

        Assert.InRange(drawn.Count, 500, 600);
        Assert.Equal(190 + 40 + 1 + 1, drawn.Max(p => p.Connections));
        Assert.Equal(9, drawn.Max(p => p.Waiting));
        Assert.Equal(drawn.OrderBy(p => p.At), drawn);
    }

    [Fact]
    public void Samples_outside_the_window_count_as_no_samples()
    {
        var series = Busy() with { Points = [new HistoryPoint(End.AddHours(-2), 50, 0, 0, 0, 0, null, null)] };

        Assert.Equal("main, last 1h: no samples yet.", HistoryChart.Summary(series));
    }

    [Fact]
    public void The_summary_names_the_peaks_and_when_they_were_in_utc()
    {
        var plus2 = TimeSpan.FromHours(2);
        var series = new HistorySeries("main", HistoryWindow.SixHours, End,
        [
            new HistoryPoint(new DateTimeOffset(2026, 11, 25, 10, 0, 0, plus2), 5, 10, 1, 1, 0, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)),
            new HistoryPoint(new DateTimeOffset(2026, 11, 25, 11, 5, 0, plus2), 30, 12, 3, 2, 1, TimeSpan.FromMinutes(12) + TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(40)),
            new HistoryPoint(new DateTimeOffset(2026, 11, 25, 12, 30, 0, plus2), 8, 9, 2, 1, 7, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(10)),
        ],
        [
            new IncidentSpan(End.AddHours(-3), End.AddHours(-2), "blocking"),
            new IncidentSpan(End.AddMinutes(-10), null, "connections"),
            new IncidentSpan(End.AddDays(-2), End.AddDays(-2).AddHours(1), "long ago"),
        ]);

        Assert.Equal(
            "main, last 6h: peak 47 connections at 2026-11-25 09:05 UTC, peak 7 waiting at 2026-11-25 10:30 UTC, "
            + "longest transaction 12m 03s at 2026-11-25 09:05 UTC, longest query 4m 10s at 2026-11-25 10:30 UTC, 2 incidents.",
            HistoryChart.Summary(series));
    }

    [Fact]
    public void A_quiet_history_says_there_was_nothing_to_see()
    {
        var series = new HistorySeries("reports", HistoryWindow.SevenDays, End,
            [new HistoryPoint(End.AddDays(-1), 0, 3, 0, 0, 0, null, null)], []);

        Assert.Equal(
            "reports, last 7d: peak 3 connections at 2026-11-24 13:00 UTC, no lock waits, no transaction running, "
            + "no query running, no incidents.",
            HistoryChart.Summary(series));
    }

    [Theory]
    [InlineData(HistoryWindow.OneHour, "1h")]
    [InlineData(HistoryWindow.SixHours, "6h")]
    [InlineData(HistoryWindow.OneDay, "24h")]
    [InlineData(HistoryWindow.SevenDays, "7d")]
    public void A_window_reads_and_parses_the_way_users_type_it(HistoryWindow window, string text)
    {
        Assert.Equal(text, window.Label());
        Assert.True(HistoryWindows.TryParse(text, out var parsed));
        Assert.Equal(window, parsed);
        Assert.Contains($"last {text}", HistoryChart.Title(Busy() with { Window = window }));
    }

    [Fact]
    public void An_unknown_window_does_not_parse()
    {
        Assert.False(HistoryWindows.TryParse("3h", out _));
    }

    [Fact]
    public void Axis_ticks_show_utc_times_and_dates_at_midnight()
    {
        Assert.Equal("13:20", HistoryChart.TickLabel(new DateTime(2026, 11, 25, 13, 20, 0, DateTimeKind.Utc)));
        Assert.Equal("Nov 25", HistoryChart.TickLabel(new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void The_file_name_says_target_window_and_end_and_is_safe()
    {
        var series = Busy() with { Target = "eu/main db" };

        Assert.Equal("pgchatops-history-eu_main_db-1h-20261125T1300Z.png", HistoryChart.FileName(series));
    }

    private static SKBitmap Decode(byte[] png) => SKBitmap.Decode(png) ?? throw new InvalidOperationException("not a PNG");

    /// <summary>The colour a translucent fill takes on the chart's white background.</summary>
    private static SKColor Blended(ScottPlot.Color color, double alpha) => new(
        (byte)Math.Round(color.R * alpha + 255 * (1 - alpha)),
        (byte)Math.Round(color.G * alpha + 255 * (1 - alpha)),
        (byte)Math.Round(color.B * alpha + 255 * (1 - alpha)));

    private static bool Near(SKColor a, SKColor b, int tolerance = 6) =>
        Math.Abs(a.Red - b.Red) <= tolerance && Math.Abs(a.Green - b.Green) <= tolerance && Math.Abs(a.Blue - b.Blue) <= tolerance;

    private static int Count(SKBitmap bitmap, SKColor color, int tolerance = 6) =>
        bitmap.Pixels.Count(p => Near(p, color, tolerance));

    private static int NonBackground(SKBitmap bitmap) => bitmap.Pixels.Count(p => !Near(p, SKColors.White, 3));
}
