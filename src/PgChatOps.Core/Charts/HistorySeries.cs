namespace PgChatOps.Charts;

/// <summary>
/// What a history chart shows: one target's samples and incidents over the window that ends at
/// <see cref="End"/>. Samples and incidents outside the window are ignored.
/// </summary>
public sealed record HistorySeries(
    string Target,
    HistoryWindow Window,
    DateTimeOffset End,
    IReadOnlyList<HistoryPoint> Points,
    IReadOnlyList<IncidentSpan> Incidents)
{
    public DateTimeOffset Start => End - Window.Length();

    /// <summary>The samples inside the window, oldest first.</summary>
    public IReadOnlyList<HistoryPoint> InWindow() =>
        Points.Where(p => p.At >= Start && p.At <= End).OrderBy(p => p.At).ToList();

    /// <summary>The incidents that overlap the window, oldest first.</summary>
    public IReadOnlyList<IncidentSpan> IncidentsInWindow() =>
        Incidents.Where(i => i.Start <= End && (i.End ?? End) >= Start).OrderBy(i => i.Start).ToList();
}
