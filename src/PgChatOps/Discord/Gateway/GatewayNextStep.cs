namespace PgChatOps.Discord.Gateway;

/// <summary>What the transport does when a connection ends.</summary>
internal enum GatewayNextStep
{
    /// <summary>Reconnect to <c>resume_gateway_url</c> and send Resume (op 6).</summary>
    Resume,

    /// <summary>Forget the session, reconnect to the cached <c>gateway/bot</c> URL and Identify (op 2).</summary>
    Identify,

    /// <summary>Reconnecting cannot help (bad token, intents, version, sharding): stop with an error.</summary>
    Stop,
}
