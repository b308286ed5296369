namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Settings of one <see cref="DiscordGatewayTransport"/>. <see cref="BotToken"/> and <see cref="ApiBaseUrl"/> come
/// from <c>Discord:BotToken</c> and <c>Discord:ApiBaseUrl</c>; the rest are protocol timings whose defaults follow
/// Discord's documentation and only tests change.
/// </summary>
internal sealed record DiscordGatewayOptions(string BotToken, Uri ApiBaseUrl)
{
    /// <summary>The Identify <c>properties.browser</c> and <c>properties.device</c>.</summary>
    public string ClientName { get; init; } = "pgchatops";

    /// <summary>Identifies per bucket: shard 0 alone is always bucket 0, which Discord allows one identify per 5 s.</summary>
    public TimeSpan IdentifyInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The random wait after op 9 d:false before a fresh Identify (the pre-2022 docs said 1–5 s).</summary>
    public TimeSpan InvalidSessionDelayMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan InvalidSessionDelayMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconnect backoff after consecutive failures: doubling from the base, capped, with jitter.</summary>
    public TimeSpan ReconnectDelayBase { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connecting, and waiting for Hello once connected.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>gateway/bot</c> values change over time; a fresh session re-reads them once they are this old.</summary>
    public TimeSpan GatewayBotMaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Interaction handlers running at once, and interactions waiting for one (more are dropped and logged).</summary>
    public int MaxConcurrentHandlers { get; init; } = 8;
    public int MaxQueuedInteractions { get; init; } = 64;

    /// <summary>One handler's limit: an interaction token lives 15 minutes.</summary>
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a stop waits for running handlers before cancelling them.</summary>
    public TimeSpan StopDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The gateway lease (one session per bot across replicas): how long it lives unrenewed, and how often the holder
    /// renews it and the others try to take it. A holder that dies is replaced within TTL + one interval (13 s).
    /// </summary>
    public TimeSpan LeaseTimeToLive { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the lease holder may be without a session before <c>/readyz</c> says it is deaf.</summary>
    public TimeSpan NotConnectedFor { get; init; } = TimeSpan.FromMinutes(1);
}
