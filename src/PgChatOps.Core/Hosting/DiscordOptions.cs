namespace PgChatOps.Hosting;

public sealed class DiscordOptions
{
    /// <summary><c>Discord:Mode</c>: interactions over the HTTP endpoint (the default).</summary>
    public const string HttpMode = "http";

    /// <summary><c>Discord:Mode</c>: interactions over the Gateway WebSocket, outbound only.</summary>
    public const string GatewayMode = "gateway";

    public string Mode { get; set; } = HttpMode;
    public string? ApplicationId { get; set; }
    public string? PublicKey { get; set; }
    public string? BotToken { get; set; }
    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10/";
    public string? AuditChannel { get; set; }

    public bool IsGateway => string.Equals(Mode?.Trim(), GatewayMode, StringComparison.OrdinalIgnoreCase);
}
