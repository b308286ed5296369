namespace PgChatOps.Hosting;

/// <summary>The log lines of <see cref="ApiSender"/>. Routes are method or route names, never URLs.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(EventId = 4900, Level = LogLevel.Warning, Message = "{Platform} {Route} got no answer: {Error}")]
    public static partial void NoAnswer(ILogger logger, string platform, string route, string error);

    [LoggerMessage(EventId = 4901, Level = LogLevel.Warning, Message = "{Platform} {Route} is rate limited for {Seconds:0.#} s: giving up")]
    public static partial void RateLimitTooLong(ILogger logger, string platform, string route, double seconds);

    [LoggerMessage(EventId = 4902, Level = LogLevel.Information, Message = "{Platform} rate-limited {Route}; waiting {Seconds:0.###} s (wait {Attempt} of {Max}).")]
    public static partial void RateLimited(ILogger logger, string platform, string route, double seconds, int attempt, int max);

    [LoggerMessage(EventId = 4903, Level = LogLevel.Warning, Message = "{Platform} {Route} answered 503; retrying")]
    public static partial void Unavailable(ILogger logger, string platform, string route);

    [LoggerMessage(EventId = 4904, Level = LogLevel.Warning, Message = "{Platform} {Route} answered {Status}")]
    public static partial void Refused(ILogger logger, string platform, string route, int status);
}
