using Microsoft.Extensions.Logging;

namespace PgChatOps.Activity;

/// <summary>Every log line of a lifeline. None carries a connection string.</summary>
internal static partial class LifelineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Lifeline to {Name} held (backend {Pid}).")]
    public static partial void Held(ILogger logger, string name, int? pid);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Lifeline to {Name} not held, retrying in {Delay}: {Error}")]
    public static partial void NotHeld(ILogger logger, string name, TimeSpan delay, string? error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Lifeline to {Name} lost, re-opening: {Error}")]
    public static partial void Lost(ILogger logger, string name, string? error);
}
