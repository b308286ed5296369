namespace PgChatOps.Discord.Gateway;

/// <summary>Log events of the Discord Gateway transport. Tokens, session ids' secrets and interaction tokens never appear here.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(4100, LogLevel.Information, "Discord Gateway: connecting to {Host} to {Step} (connection {Connection})")]
    public static partial void Connecting(this ILogger log, string host, string step, int connection);

    [LoggerMessage(4101, LogLevel.Information, "Discord Gateway: session ready (application {ApplicationId})")]
    public static partial void Ready(this ILogger log, string? applicationId);

    [LoggerMessage(4102, LogLevel.Information, "Discord Gateway: session resumed at sequence {Sequence}")]
    public static partial void Resumed(this ILogger log, int? sequence);

    [LoggerMessage(4103, LogLevel.Information, "Discord Gateway: connection {Connection} ended ({Reason}); next: {Next}")]
    public static partial void ConnectionEnded(this ILogger log, int connection, string reason, GatewayNextStep next);

    [LoggerMessage(4104, LogLevel.Information, "Discord Gateway: reconnecting in {Delay}")]
    public static partial void ReconnectDelay(this ILogger log, TimeSpan delay);

    [LoggerMessage(4105, LogLevel.Warning, "Discord Gateway: no heartbeat ACK since the last heartbeat; closing the zombie connection to resume")]
    public static partial void Zombie(this ILogger log);

    [LoggerMessage(4106, LogLevel.Warning, "Discord Gateway: gateway/bot recommends {Shards} shards, but this bot runs one unsharded connection; Discord may close it with 4011")]
    public static partial void ShardsRecommended(this ILogger log, int shards);

    [LoggerMessage(4107, LogLevel.Error, "Discord Gateway: no session starts left today (total {Total}); waiting {Wait} until Discord resets the limit before identifying")]
    public static partial void SessionStartLimitExhausted(this ILogger log, int total, TimeSpan wait);

    [LoggerMessage(4108, LogLevel.Critical, "Discord Gateway stopped for good: {Reason}. Fix the setting and restart; it will not reconnect by itself")]
    public static partial void Fatal(this ILogger log, string reason);

    [LoggerMessage(4109, LogLevel.Warning, "Discord Gateway: gateway/bot failed ({Error}); retrying")]
    public static partial void GatewayBotFailed(this ILogger log, string error);

    [LoggerMessage(4110, LogLevel.Warning, "Discord Gateway: could not connect ({Error})")]
    public static partial void ConnectFailed(this ILogger log, string error);

    [LoggerMessage(4111, LogLevel.Warning, "Discord Gateway: {Queued} interactions already wait for a handler; dropping interaction {InteractionId}")]
    public static partial void InteractionDropped(this ILogger log, int queued, string? interactionId);

    [LoggerMessage(4112, LogLevel.Error, "Discord Gateway: the interaction handler failed for interaction {InteractionId}")]
    public static partial void HandlerFailed(this ILogger log, Exception exception, string? interactionId);

    [LoggerMessage(4113, LogLevel.Warning, "Discord Gateway: interaction handlers still running after {Timeout}; cancelling them")]
    public static partial void HandlersCancelled(this ILogger log, TimeSpan timeout);

    [LoggerMessage(4114, LogLevel.Information, "Discord Gateway: stopped ({How})")]
    public static partial void Stopped(this ILogger log, GatewayStop how);

    [LoggerMessage(4115, LogLevel.Debug, "Discord Gateway: dispatch {Event} (s={Sequence}) ignored")]
    public static partial void DispatchIgnored(this ILogger log, string? @event, int? sequence);

    [LoggerMessage(4116, LogLevel.Information, "Discord Gateway: session invalidated (op 9, resumable: {Resumable})")]
    public static partial void InvalidSession(this ILogger log, bool resumable);

    [LoggerMessage(4117, LogLevel.Warning, "Discord Gateway: the interaction callback failed ({Result})")]
    public static partial void CallbackFailed(this ILogger log, string result);

    [LoggerMessage(4118, LogLevel.Warning, "Discord Gateway: dropped a malformed interaction {InteractionId}")]
    public static partial void MalformedInteraction(this ILogger log, string? interactionId);

    [LoggerMessage(4119, LogLevel.Information, "Discord Gateway: this replica ({Holder}) holds the gateway lease and connects")]
    public static partial void LeaseTaken(this ILogger log, string holder);

    [LoggerMessage(4120, LogLevel.Warning, "Discord Gateway: this replica ({Holder}) lost the gateway lease; disconnecting so only one session runs")]
    public static partial void LeaseLost(this ILogger log, string holder);

    [LoggerMessage(4121, LogLevel.Information, "Discord Gateway: standing by; the gateway lease is held by {Holder}")]
    public static partial void Standby(this ILogger log, string? holder);

    [LoggerMessage(4122, LogLevel.Warning, "Discord Gateway: the gateway lease could not be renewed ({Error})")]
    public static partial void LeaseFailed(this ILogger log, string error);

    [LoggerMessage(4123, LogLevel.Information, "Discord Gateway: released the gateway lease")]
    public static partial void LeaseReleased(this ILogger log);

    [LoggerMessage(4124, LogLevel.Critical, "Discord Gateway: this replica stops competing for the gateway lease until it is restarted: {Reason}")]
    public static partial void Retired(this ILogger log, string reason);

    [LoggerMessage(4126, LogLevel.Warning, "Discord Gateway: interaction {InteractionId} waited {Waited} for a handler, past Discord's 3 seconds; dropped unhandled")]
    public static partial void InteractionExpired(this ILogger log, string? interactionId, TimeSpan waited);

    [LoggerMessage(4125, LogLevel.Error, "Discord Gateway: the transport ended unexpectedly ({Error}); starting it again while this replica holds the lease")]
    public static partial void TransportFailed(this ILogger log, string error);
}
