namespace PgChatOps.Discord;

/// <summary>Every log line of the Discord adapter outside the Gateway. None carries a token or a webhook path.</summary>
internal static partial class DiscordLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Could not remove a deferred Discord reply before answering privately: {Result}")]
    public static partial void DeleteOriginalFailed(ILogger logger, DiscordApiResult result);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Could not deliver a Discord reply ({Address}): {Result}")]
    public static partial void DeliveryFailed(ILogger logger, string address, DiscordApiResult result);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Discord {Route} attempt {Attempt} failed: {Error}")]
    public static partial void AttemptFailed(ILogger logger, string route, int attempt, string error);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Discord {Route} failed: {Error}")]
    public static partial void Failed(ILogger logger, string route, string error);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Discord {Route} is rate limited for {Seconds:0.#} s: giving up")]
    public static partial void RateLimitTooLong(ILogger logger, string route, double seconds);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Discord {Route} rate limited; retrying in {Seconds:0.###} s")]
    public static partial void RateLimited(ILogger logger, string route, double seconds);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Discord {Route} answered {Status}; retrying")]
    public static partial void ServerErrorRetrying(ILogger logger, string route, int status);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "Discord {Route} answered {Status}")]
    public static partial void Refused(ILogger logger, string route, int status);
}
