namespace PgChatOps.Discord.Gateway;

/// <summary>How <see cref="DiscordGatewayTransport.RunAsync(GatewayStop, CancellationToken)"/> leaves the Gateway when cancelled.</summary>
internal enum GatewayStop
{
    /// <summary>Close with 1000: Discord ends the session and the bot shows offline. A later run identifies anew.</summary>
    EndSession,

    /// <summary>Close with 4000: the session stays resumable for a few minutes, and a later run on the same transport resumes it.</summary>
    KeepResumable,
}
