using Microsoft.Extensions.Logging;

namespace PgChatOps.Actions;

/// <summary>Every log line of a confirmed action's execution. None carries a query text.</summary>
internal static partial class ActionLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Action {ActionId} failed on target {Target}: {Error}")]
    public static partial void Failed(ILogger logger, Guid actionId, string target, string error);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Action {ActionId} failed unexpectedly on target {Target} (error {ErrorId})")]
    public static partial void FailedUnexpectedly(ILogger logger, Exception exception, Guid actionId, string target, string errorId);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Action {ActionId} executed but its results could not be recorded: {Error}")]
    public static partial void ResultsNotRecorded(ILogger logger, Guid actionId, string error);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Action {ActionId} ({Kind}) on {Target} executed: {Succeeded} of {Count} sessions")]
    public static partial void Executed(ILogger logger, Guid actionId, string kind, string target, int succeeded, int count);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Action {ActionId} on target {Target} was not started: {Reason}")]
    public static partial void NotStarted(ILogger logger, Guid actionId, string target, string reason);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "Could not audit a refused click: {Error}")]
    public static partial void RefusalNotAudited(ILogger logger, string error);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "Could not look for actions left without a result: {Error}")]
    public static partial void StuckLookupFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "Action {ActionId} ({Kind}) on {Target} was confirmed but never recorded a result: outcome unknown.")]
    public static partial void OutcomeUnknown(ILogger logger, Guid actionId, string kind, string target);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "Could not show the unknown outcome of action {ActionId} ({Listener}).")]
    public static partial void OutcomeUnknownNotShown(ILogger logger, Exception exception, Guid actionId, string listener);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Warning, Message = "Could not expire pending actions: {Error}")]
    public static partial void ExpiryFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Expired {Count} unconfirmed action(s).")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Could not show the expiry of action {ActionId} ({Listener}).")]
    public static partial void ExpiryNotShown(ILogger logger, Exception exception, Guid actionId, string listener);
}
