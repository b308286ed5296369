namespace PgChatOps.Hosting;

/// <summary>Log lines of the platform alert sinks. None carries a token, a message body or query text.</summary>
internal static partial class AlertLog
{
    [LoggerMessage(EventId = 6500, Level = LogLevel.Warning, Message = "A paced edit of a {Platform} alert message failed: {Error}; the next change of the incident edits it again")]
    public static partial void PacedEditFailed(ILogger logger, string platform, string error);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Warning, Message = "Watch rule alert for platform {Platform} has no chat adapter here; it goes to the log")]
    public static partial void NoAdapter(ILogger logger, string platform);

    [LoggerMessage(EventId = 6502, Level = LogLevel.Warning, Message = "A snooze click carried no valid alert id: refused")]
    public static partial void MalformedSnooze(ILogger logger);
}
