using Microsoft.Extensions.Logging;

namespace PgChatOps.Commands;

/// <summary>Every log line of the command pipeline. None carries a query text or a secret.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Refused a click: {Error}")]
    public static partial void ClickRefused(ILogger logger, string error);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Unexpected error {ErrorId}")]
    public static partial void Unexpected(ILogger logger, Exception exception, string errorId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Could not audit a denial: {Error}")]
    public static partial void DenialNotAudited(ILogger logger, string error);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Could not audit a read: {Error}")]
    public static partial void ReadNotAudited(ILogger logger, string error);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "State store unavailable: {Error}")]
    public static partial void StateStoreUnavailable(ILogger logger, string error);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Target {Target} failed: {Error}")]
    public static partial void TargetFailed(ILogger logger, string? target, string error);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Target {Target}: the connection was lost ({Error}); reading once more on a fresh one")]
    public static partial void ReadingAgain(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Could not audit: {Error}")]
    public static partial void NotAudited(ILogger logger, string error);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Could not check a delivery for replay: {Error}")]
    public static partial void ReplayCheckFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Target {Target}: the whole list could not be read for its file: {Error}")]
    public static partial void WholeListFailed(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Could not audit a snapshot: {Error}")]
    public static partial void SnapshotNotAudited(ILogger logger, string error);
}
