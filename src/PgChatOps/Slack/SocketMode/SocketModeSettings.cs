namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// How the Socket Mode transport connects. A class, not a record, so that no generated ToString ever prints the
/// app token. Defaults follow Slack's documentation and the node SDK (PROTOCOLS.md §5).
/// </summary>
internal sealed class SocketModeSettings
{
    /// <summary>Slack acknowledges nothing later than this; it is not a setting, it is Slack's rule.</summary>
    public static readonly TimeSpan AckDeadline = TimeSpan.FromSeconds(3);

    /// <summary>The app-level token (<c>xapp-…</c>, scope <c>connections:write</c>). Sent only as a Bearer header.</summary>
    public required string AppToken { get; init; }

    /// <summary>e.g. <c>https://slack.com/api/</c>; apps.connections.open is resolved against it.</summary>
    public required Uri ApiBaseUrl { get; init; }

    /// <summary>Simultaneous connections (Slack allows 10 per app, across all replicas; SlackNet uses 2).</summary>
    public int Connections { get; init; } = 2;

    /// <summary>The pause before opening each further connection, so that they do not all refresh together.</summary>
    public TimeSpan ConnectionStagger { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an envelope that accepts a response payload waits for the handler's inline answer.</summary>
    public TimeSpan InlineWindow { get; init; } = TimeSpan.FromMilliseconds(1500);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection that has not said hello by then is dropped and replaced.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket pings from our side.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection whose pings go unanswered this long is dead: it is aborted and replaced.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest Retry-After (HTTP 429 on apps.connections.open) we honour as given.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Consecutive token refusals (invalid_auth, not_allowed_token_type, …) before giving up for good.</summary>
    public int MaxAuthFailures { get; init; } = 3;

    /// <summary>How many recent envelope ids are remembered to deliver a redelivered envelope only once.</summary>
    public int RememberedEnvelopes { get; init; } = 2048;

    /// <summary>At shutdown or when a connection is replaced: time for outstanding acks and the close handshake.</summary>
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest single message accepted from Slack; bigger ones drop the connection.</summary>
    public int MaxMessageBytes { get; init; } = 4 * 1024 * 1024;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(AppToken))
        {
            throw new ArgumentException("Socket Mode needs an app-level token (PgChatOps:Slack:AppToken).", nameof(AppToken));
        }
        if (!ApiBaseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("ApiBaseUrl must be absolute.", nameof(ApiBaseUrl));
        }
        if (Connections is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(Connections), Connections, "Slack allows 1 to 10 Socket Mode connections.");
        }
        // The ack must leave within Slack's 3 s, including the send itself.
        if (InlineWindow <= TimeSpan.Zero || InlineWindow > AckDeadline - TimeSpan.FromMilliseconds(500))
        {
            throw new ArgumentOutOfRangeException(nameof(InlineWindow), InlineWindow, "The inline window must leave time to acknowledge within 3 s.");
        }
        if (MaxAuthFailures < 1 || RememberedEnvelopes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAuthFailures), "MaxAuthFailures and RememberedEnvelopes must be positive.");
        }
    }
}
