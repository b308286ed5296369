namespace PgChatOps.Hosting;

/// <summary>The <c>PgChatOps</c> settings section (DESIGN.md, Contract – settings).</summary>
public sealed class PgChatOpsOptions
{
    public const string Section = "PgChatOps";

    public Dictionary<string, TargetOptions> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public string? DefaultTarget { get; set; }
    public string? StateConnectionString { get; set; }

    /// <summary>Optional: the state schema's owner, used only to migrate it; the bot then works as StateConnectionString.</summary>
    public string? MigrationConnectionString { get; set; }
    public SlackOptions Slack { get; set; } = new();
    public DiscordOptions Discord { get; set; } = new();
    public AccessOptions Access { get; set; } = new();
    public ConfirmationOptions Confirmation { get; set; } = new();
    public ProtectionOptions Protection { get; set; } = new();
    public MonitoringOptions Monitoring { get; set; } = new();
}
