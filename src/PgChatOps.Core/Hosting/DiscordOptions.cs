namespace PgChatOps.Hosting;

public sealed class DiscordOptions
{
    public string? ApplicationId { get; set; }
    public string? PublicKey { get; set; }
    public string? BotToken { get; set; }
    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10/";
    public string? AuditChannel { get; set; }
}
