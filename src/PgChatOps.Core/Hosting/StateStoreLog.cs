using Microsoft.Extensions.Logging;

namespace PgChatOps.Hosting;

/// <summary>Every log line of the state store's migration. None carries a connection string.</summary>
internal static partial class StateStoreLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "State store ready (schema version {Version}).")]
    public static partial void Ready(ILogger logger, int version);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "State store not ready, retrying in {Delay}: {Error}")]
    public static partial void NotReady(ILogger logger, TimeSpan delay, string? error);
}
