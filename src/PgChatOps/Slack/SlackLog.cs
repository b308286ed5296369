using Microsoft.Extensions.Logging;

namespace PgChatOps.Slack;

/// <summary>Every log line of the Slack adapter outside Socket Mode. None carries a token, a response_url or query text.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Error, Message = "A slash command failed inside the Slack adapter.")]
    public static partial void CommandFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "A slow slash command came without a usable response_url; its answer cannot be delivered.")]
    public static partial void SlowCommandWithoutResponseUrl(ILogger logger);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "A button click came without a response_url; its answer cannot be shown to the clicker.")]
    public static partial void ClickWithoutResponseUrl(ILogger logger);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Ignoring a repeated Slack event {EventId}.")]
    public static partial void RepeatedEvent(ILogger logger, string eventId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug, Message = "Ignoring Slack event {EventId}: another replica handled it.")]
    public static partial void EventHandledElsewhere(ILogger logger, string eventId);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Could not check Slack event {EventId} for a repeat: {Error}")]
    public static partial void RepeatCheckFailed(ILogger logger, string eventId, string error);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Ignored a response_url that is not on {Host}: nothing is posted to it.")]
    public static partial void UntrustedResponseUrl(ILogger logger, string host);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Could not answer through response_url: {Error}")]
    public static partial void ResponseUrlFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Could not post a reply in channel {Channel}: {Error}")]
    public static partial void ThreadPostFailed(ILogger logger, string channel, string error);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Could not post to Slack channel {Channel}: {Error}")]
    public static partial void ChannelPostFailed(ILogger logger, string channel, string error);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Could not replace an earlier message in channel {Channel}: {Error}")]
    public static partial void UpdateFailed(ILogger logger, string channel, string error);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Could not read the members of Slack user group {Group}: {Error}")]
    public static partial void UserGroupFailed(ILogger logger, string group, string error);

    [LoggerMessage(EventId = 5051, Level = LogLevel.Warning, Message = "Could not share {FileName} in Slack channel {Channel}: {Failure}")]
    public static partial void FileShareFailed(ILogger logger, string fileName, string channel, string failure);
}
