namespace PgChatOps.Hosting;

public sealed class AccessRule
{
    public string? Platform { get; set; }

    /// <summary>Slack team ids or Discord guild ids; empty (or <c>*</c>) means any workspace that can reach the bot.</summary>
    public List<string> Workspaces { get; set; } = [];

    /// <summary>Channel ids or <c>*</c>; a direct message matches only <c>dm</c>, never <c>*</c>.</summary>
    public List<string> Channels { get; set; } = [];
    public List<string> Users { get; set; } = [];
    public List<string> Groups { get; set; } = [];

    /// <summary>Empty means every configured target.</summary>
    public List<string> Targets { get; set; } = [];
    public List<string> Allow { get; set; } = [];
}
