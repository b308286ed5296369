using Microsoft.Extensions.Logging;

namespace PgChatOps.Slack.SocketMode;

/// <summary>Every log line of the Socket Mode transport. None carries a token, a ticket URL or a payload.</summary>
internal static partial class SocketModeLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Slack Socket Mode connection {Connection} is ready (hello from {Host}; Slack counts {NumConnections} connections, expected lifetime {LifetimeSeconds} s).")]
    public static partial void Connected(ILogger logger, string connection, string host, int? numConnections, int? lifetimeSeconds);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Slack asked to replace Socket Mode connection {Connection} ({Reason}); opening a new one before closing it.")]
    public static partial void Replacing(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "Slack disabled Socket Mode for this app (link_disabled on connection {Connection}); not reconnecting. Turn Socket Mode back on in the Slack app's settings and restart.")]
    public static partial void LinkDisabled(ILogger logger, string connection);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Slack Socket Mode connection {Connection} ended: {Reason}; reconnecting.")]
    public static partial void Dropped(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Debug, Message = "Waiting {Delay} before asking for a Socket Mode connection (attempt {Attempt}).")]
    public static partial void Waiting(ILogger logger, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "Slack refused the app token at apps.connections.open: {Error} (refusal {Attempt} of {Max}). Socket Mode needs an app-level token (xapp-…) with the connections:write scope in PgChatOps:Slack:AppToken.")]
    public static partial void TokenRefused(ILogger logger, string error, int attempt, int max);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Critical, Message = "Giving up on Slack Socket Mode after {Attempts} refusals of the app token ({Error}); no connection will be made.")]
    public static partial void GivingUp(ILogger logger, int attempts, string error);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "apps.connections.open failed: {Error}; retrying with backoff.")]
    public static partial void OpenFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "apps.connections.open is rate-limited; waiting {Delay} as Slack's Retry-After asks.")]
    public static partial void RateLimited(ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 5109, Level = LogLevel.Warning, Message = "Socket Mode connection {Connection} to {Host} failed before hello: {Reason}; retrying with backoff.")]
    public static partial void ConnectFailed(ILogger logger, string connection, string host, string reason);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Envelope {EnvelopeId} ({Type}, retry {RetryAttempt}) was delivered before; acknowledged again, not handled twice.")]
    public static partial void Duplicate(ILogger logger, string envelopeId, string type, int? retryAttempt);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Warning, Message = "The acknowledgement of envelope {EnvelopeId} could not be sent on connection {Connection} ({Reason}); Slack will redeliver the envelope and it is acknowledged then.")]
    public static partial void AckFailed(ILogger logger, string envelopeId, string connection, string reason);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Error, Message = "The handler failed on envelope {EnvelopeId} ({Type}).")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string envelopeId, string type);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Warning, Message = "Socket Mode connection {Connection} sent a message that cannot be used: {Reason}.")]
    public static partial void Unusable(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 5114, Level = LogLevel.Information, Message = "Slack Socket Mode stopped: {Reason}.")]
    public static partial void Stopped(ILogger logger, SocketModeStopReason reason);

    [LoggerMessage(EventId = 5115, Level = LogLevel.Warning, Message = "{Count} envelope handlers were still running when Socket Mode stopped.")]
    public static partial void HandlersStillRunning(ILogger logger, int count);

    [LoggerMessage(EventId = 5116, Level = LogLevel.Debug, Message = "Envelope {EnvelopeId} acknowledged on {Connection} {Inline}.")]
    public static partial void Acked(ILogger logger, string envelopeId, string connection, string inline);

    [LoggerMessage(EventId = 5117, Level = LogLevel.Debug, Message = "Envelope {EnvelopeId} of type {Type} is not one PgChatOps handles; acknowledged and ignored.")]
    public static partial void EnvelopeIgnored(ILogger logger, string envelopeId, string type);

    [LoggerMessage(EventId = 5118, Level = LogLevel.Warning, Message = "A slash command's answer missed its Socket Mode acknowledgement and the command carried no usable response_url; the answer was not delivered.")]
    public static partial void LateAnswerWithoutResponseUrl(ILogger logger);

    [LoggerMessage(EventId = 5119, Level = LogLevel.Information, Message = "Slack:Mode is socket: connecting to Slack over Socket Mode ({Connections} connections); the /slack/* endpoints are not served.")]
    public static partial void Starting(ILogger logger, int connections);

    [LoggerMessage(EventId = 5120, Level = LogLevel.Critical, Message = "Slack Socket Mode stopped for good ({Reason}): this replica answers no Slack command until it is restarted, and /readyz says not ready.")]
    public static partial void StoppedForGood(ILogger logger, SocketModeStopReason reason);
}
