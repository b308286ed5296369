namespace PgChatOps.Slack.SocketMode;

/// <summary>The <c>type</c> and <c>reason</c> values of Socket Mode messages (PROTOCOLS.md §5).</summary>
internal static class SocketModeMessageTypes
{
    public const string Hello = "hello";
    public const string Disconnect = "disconnect";

    public const string EventsApi = "events_api";
    public const string SlashCommands = "slash_commands";
    public const string Interactive = "interactive";

    /// <summary>Socket Mode was switched off for the app: never reconnect.</summary>
    public const string LinkDisabled = "link_disabled";

    /// <summary>Slack will drop this connection in about 10 s.</summary>
    public const string Warning = "warning";

    /// <summary>Slack wants this connection replaced by a new one from apps.connections.open.</summary>
    public const string RefreshRequested = "refresh_requested";
}
