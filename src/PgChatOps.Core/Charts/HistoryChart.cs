using System.Globalization;
using System.Text;
using PgChatOps.Artifacts;
using ScottPlot;

namespace PgChatOps.Charts;

/// <summary>
/// Draws a target's connection history as a PNG: connections by state stacked over time, lock waiters as a
/// dashed line, incidents as shaded, labelled ranges; all times in UTC. <see cref="Summary"/> says the same in
/// one line for clients that show no images (and serves as the image's alt text).
/// </summary>
public static class HistoryChart
{
    public const int DefaultWidth = 1200;
    public const int DefaultHeight = 600;

    /// <summary>Stack order, bottom to top: the states an on-call engineer looks for first sit on the axis.</summary>
    internal static readonly IReadOnlyList<(string Name, Color Color, Func<HistoryPoint, int> Count)> Layers =
    [
        ("active", Color.FromHex("#2E7D32"), p => p.Active),
        ("idle in transaction", Color.FromHex("#EF6C00"), p => p.IdleInTransaction),
        ("other", Color.FromHex("#7B1FA2"), p => p.Other),
        ("idle", Color.FromHex("#78909C"), p => p.Idle),
    ];

    internal static readonly Color WaitingColor = Color.FromHex("#C62828");
    internal static readonly Color IncidentColor = Color.FromHex("#E53935").WithAlpha(0.16);

    public static byte[] RenderPng(HistorySeries series, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 150);
        ChartFonts.EnsureRegistered();

        var plot = new Plot();
        plot.Font.Set(ChartFonts.Family);
        // The date-time axis replaces the bottom axis: create it before styling it.
        var timeAxis = plot.Axes.DateTimeTicksBottom();
        timeAxis.TickGenerator = new ScottPlot.TickGenerators.DateTimeAutomatic { LabelFormatter = TickLabel };
        plot.Title(Title(series));
        plot.Axes.Title.Label.FontSize = 22;
        plot.Axes.Title.Label.Bold = true;
        plot.XLabel("time (UTC)");
        plot.YLabel("connections");
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Left.Label.FontSize = 16;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;

        var start = X(series.Start);
        var end = X(series.End);
        var points = series.InWindow();
        if (points.Count == 0)
        {
            plot.Axes.SetLimits(start, end, 0, 10);
            plot.Axes.Left.TickLabelStyle.IsVisible = false;
            plot.HideGrid();
            var note = plot.Add.Text($"No samples yet for {series.Target} in the last {series.Window.Label()}", (start + end) / 2, 5);
            note.LabelFontSize = 28;
            note.LabelFontColor = Colors.DimGray;
            note.LabelAlignment = Alignment.MiddleCenter;
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }

        var incidents = series.IncidentsInWindow();
        foreach (var incident in incidents)
        {
            var span = plot.Add.HorizontalSpan(Math.Max(start, X(incident.Start)), Math.Min(end, X(incident.End ?? series.End)));
            span.FillStyle.Color = IncidentColor;
            span.LineStyle.Width = 0;
        }

        points = Downsample(points, series.Start, series.End, width / 2);
        var xs = points.Select(p => X(p.At)).ToArray();
        var lower = new double[xs.Length];
        var peak = 0.0;
        foreach (var (name, color, count) in Layers)
        {
            var upper = new double[xs.Length];
            for (var i = 0; i < xs.Length; i++)
            {
                upper[i] = lower[i] + count(points[i]);
            }
            var fill = plot.Add.FillY(xs, upper, lower);
            fill.FillStyle.Color = color.WithAlpha(0.85);
            fill.LineStyle.Width = 0;
            fill.LegendText = name;
            peak = Math.Max(peak, upper.Max());
            lower = upper;
        }

        var waiting = plot.Add.ScatterLine(xs, points.Select(p => (double)p.Waiting).ToArray(), WaitingColor);
        waiting.LineWidth = 2.5f;
        waiting.LinePattern = LinePattern.Dashed;
        waiting.LegendText = "waiting on locks";
        peak = Math.Max(peak, points.Max(p => p.Waiting));

        // Head room above the stack for the incident labels.
        var top = Math.Max(5, Math.Ceiling(peak * 1.3));
        for (var i = 0; i < incidents.Count; i++)
        {
            var incident = incidents[i];
            var x1 = Math.Max(start, X(incident.Start));
            var x2 = Math.Min(end, X(incident.End ?? series.End));
            // A label that starts in the last quarter would run off the plot: hang it from the span's end.
            var fromEnd = x1 > start + (end - start) * 0.75;
            var label = plot.Add.Text(incident.Label + (incident.End is null ? " (ongoing)" : ""), fromEnd ? x2 : x1, top);
            label.LabelFontSize = 14;
            label.LabelBold = true;
            label.LabelFontColor = Color.FromHex("#B71C1C");
            label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
            label.LabelAlignment = fromEnd ? Alignment.UpperRight : Alignment.UpperLeft;
            label.LabelOffsetX = fromEnd ? -4 : 4;
            // Neighbouring incidents would print over each other: three rows of labels.
            label.LabelOffsetY = 4 + (i % 3) * 22;
        }

        plot.Axes.SetLimits(start, end, 0, top);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.FontSize = 14;
        plot.ShowLegend(Edge.Bottom);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// At most <paramref name="buckets"/> points, one per equal slice of the window: the sample with the most
    /// connections in each slice, carrying the slice's most waiters. A week of 30-second samples would otherwise
    /// draw as noise; taking maxima, not averages, keeps a brief spike on the chart.
    /// </summary>
    internal static IReadOnlyList<HistoryPoint> Downsample(IReadOnlyList<HistoryPoint> points, DateTimeOffset start, DateTimeOffset end, int buckets)
    {
        if (points.Count <= buckets)
        {
            return points;
        }
        var slice = (end - start) / buckets;
        return points
            .GroupBy(p => Math.Min(buckets - 1, (int)((p.At - start) / slice)))
            .OrderBy(g => g.Key)
            .Select(g => g.MaxBy(p => p.Connections)! with { Waiting = g.Max(p => p.Waiting) })
            .ToList();
    }

    /// <summary>
    /// One line: peak connections and when, peak waiters, the longest transaction and query, how many incidents.
    /// Times are UTC.
    /// </summary>
    public static string Summary(HistorySeries series)
    {
        var head = $"{series.Target}, last {series.Window.Label()}";
        var points = series.InWindow();
        if (points.Count == 0)
        {
            return $"{head}: no samples yet.";
        }

        var peak = points.MaxBy(p => p.Connections)!;
        var waiting = points.MaxBy(p => p.Waiting)!;
        var text = new StringBuilder($"{head}: peak {peak.Connections} connections at {When(peak.At)}");
        text.Append(waiting.Waiting == 0 ? ", no lock waits" : $", peak {waiting.Waiting} waiting at {When(waiting.At)}");
        text.Append(Longest("transaction", points, p => p.LongestTransaction));
        text.Append(Longest("query", points, p => p.LongestQuery));
        var incidents = series.IncidentsInWindow().Count;
        text.Append(incidents switch { 0 => ", no incidents", 1 => ", 1 incident", _ => $", {incidents} incidents" });
        return text.Append('.').ToString();
    }

    /// <summary>A file name that says what and when: <c>pgchatops-history-main-1h-20261125T1322Z.png</c>.</summary>
    public static string FileName(HistorySeries series) =>
        $"pgchatops-history-{ArtifactText.FileSafe(series.Target)}-{series.Window.Label()}-{ArtifactText.FileStamp(series.End)}.png";

    internal static string Title(HistorySeries series) =>
        $"{series.Target}: connections by state, last {series.Window.Label()} (to {When(series.End)})";

    /// <summary>Times of day on the axis, and the date (not 00:00) where a day starts; the title carries the year.</summary>
    internal static string TickLabel(DateTime utc) =>
        utc.TimeOfDay == TimeSpan.Zero
            ? utc.ToString("MMM d", CultureInfo.InvariantCulture)
            : utc.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string When(DateTimeOffset at) => ArtifactText.Utc(at);

    private static string Duration(TimeSpan d) => ArtifactText.Duration(d);

    private static string Longest(string what, IReadOnlyList<HistoryPoint> points, Func<HistoryPoint, TimeSpan?> duration)
    {
        var longest = points.Where(p => duration(p) is not null).MaxBy(p => duration(p)!.Value);
        return longest is null ? $", no {what} running" : $", longest {what} {Duration(duration(longest)!.Value)} at {When(longest.At)}";
    }

    // UTC on the axis: the tick labels print the DateTime as given, so give them UTC.
    private static double X(DateTimeOffset at) => at.UtcDateTime.ToOADate();
}
