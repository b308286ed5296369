namespace PgChatOps.Hosting;

public sealed class SlackOptions
{
    public string? SigningSecret { get; set; }
    public string? BotToken { get; set; }
    public string? AppToken { get; set; }
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";
    public string? AuditChannel { get; set; }
}
