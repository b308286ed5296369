namespace PgChatOps.Charts;

/// <summary>How far back a history chart looks.</summary>
public enum HistoryWindow
{
    OneHour,
    SixHours,
    OneDay,
    SevenDays,
}
