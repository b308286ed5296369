namespace PgChatOps.Slack.SocketMode;

/// <summary>Why <see cref="SlackSocketModeTransport.RunAsync"/> returned.</summary>
internal enum SocketModeStopReason
{
    /// <summary>The caller's token was cancelled (host shutdown).</summary>
    Cancelled,

    /// <summary>Slack sent <c>disconnect</c> with <c>link_disabled</c>: Socket Mode is off for this app.</summary>
    LinkDisabled,

    /// <summary>apps.connections.open refused the app token too many times in a row (invalid_auth and the like).</summary>
    Unauthorized,
}
