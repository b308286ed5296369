namespace PgChatOps.Charts;

public static class HistoryWindows
{
    public static TimeSpan Length(this HistoryWindow window) => window switch
    {
        HistoryWindow.OneHour => TimeSpan.FromHours(1),
        HistoryWindow.SixHours => TimeSpan.FromHours(6),
        HistoryWindow.OneDay => TimeSpan.FromDays(1),
        HistoryWindow.SevenDays => TimeSpan.FromDays(7),
        _ => throw new ArgumentOutOfRangeException(nameof(window)),
    };

    /// <summary>The form users type and read: 1h, 6h, 24h, 7d.</summary>
    public static string Label(this HistoryWindow window) => window switch
    {
        HistoryWindow.OneHour => "1h",
        HistoryWindow.SixHours => "6h",
        HistoryWindow.OneDay => "24h",
        HistoryWindow.SevenDays => "7d",
        _ => throw new ArgumentOutOfRangeException(nameof(window)),
    };

    public static bool TryParse(string text, out HistoryWindow window)
    {
        window = text.Trim().ToLowerInvariant() switch
        {
            "1h" => HistoryWindow.OneHour,
            "6h" => HistoryWindow.SixHours,
            "24h" or "1d" => HistoryWindow.OneDay,
            "7d" => HistoryWindow.SevenDays,
            _ => (HistoryWindow)(-1),
        };
        return Enum.IsDefined(window);
    }
}
