using Microsoft.Extensions.Logging;

namespace PgChatOps.Activity;

internal static partial class SuggestionLog
{
    [LoggerMessage(EventId = 1050, Level = LogLevel.Debug, Message = "Target {Target}: no {Kind} suggestions within {DeadlineMs} ms.")]
    public static partial void TooSlow(ILogger logger, string target, SuggestedName kind, double deadlineMs);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Target {Target}: {Kind} suggestions failed, so none were offered: {Error}")]
    public static partial void Failed(ILogger logger, string target, SuggestedName kind, string error);
}
