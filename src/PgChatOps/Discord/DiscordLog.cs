using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>Every log line of the Discord adapter outside the Gateway. None carries a token or a webhook path.</summary>
internal static partial class DiscordLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Could not remove a deferred Discord reply before answering privately: {Result}")]
    public static partial void DeleteOriginalFailed(ILogger logger, ApiResult result);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Could not deliver a Discord reply ({Address}): {Result}")]
    public static partial void DeliveryFailed(ILogger logger, string address, ApiResult result);

    [LoggerMessage(EventId = 6051, Level = LogLevel.Warning, Message = "Could not attach {FileName} to a Discord reply: {Failure}")]
    public static partial void FileAttachFailed(ILogger logger, string fileName, string failure);
}
