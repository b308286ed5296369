namespace PgChatOps.Discord.Gateway;

/// <summary>
/// A snapshot for health checks and metrics. <see cref="Ready"/> means a socket is open and its session is
/// established (READY or RESUMED seen); <see cref="FatalError"/> is set once the transport stopped for good.
/// </summary>
internal sealed record DiscordGatewayStatus(
    bool Ready,
    string? SessionId,
    int? LastSequence,
    DateTimeOffset? LastHeartbeatAck,
    string? ApplicationId,
    int Connections,
    string? FatalError)
{
    public static readonly DiscordGatewayStatus Initial = new(false, null, null, null, null, 0, null);
}
