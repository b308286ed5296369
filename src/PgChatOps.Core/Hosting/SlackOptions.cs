namespace PgChatOps.Hosting;

public sealed class SlackOptions
{
    /// <summary><c>Slack:Mode</c> for the signed HTTP endpoints (the default).</summary>
    public const string HttpMode = "http";

    /// <summary><c>Slack:Mode</c> for Socket Mode: an outbound WebSocket, no inbound HTTP.</summary>
    public const string SocketMode = "socket";

    public string? Mode { get; set; } = HttpMode;
    public string? SigningSecret { get; set; }
    public string? BotToken { get; set; }
    public string? AppToken { get; set; }
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";
    public string? AuditChannel { get; set; }

    /// <summary><c>Mode</c> is <c>socket</c> (any case, surrounding blanks ignored).</summary>
    public bool IsSocketMode() => string.Equals(Mode?.Trim(), SocketMode, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>Mode</c> is <c>http</c> or left empty.</summary>
    public bool IsHttpMode() => string.IsNullOrWhiteSpace(Mode) || string.Equals(Mode.Trim(), HttpMode, StringComparison.OrdinalIgnoreCase);
}
