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

public sealed class TargetOptions
{
    public string? ConnectionString { get; set; }

    /// <summary>When false, query text never leaves the database for this target.</summary>
    public bool ShowQueryText { get; set; } = true;
}

public sealed class SlackOptions
{
    public string? SigningSecret { get; set; }
    public string? BotToken { get; set; }
    public string? AppToken { get; set; }
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";
    public string? AuditChannel { get; set; }
}

public sealed class DiscordOptions
{
    public string? ApplicationId { get; set; }
    public string? PublicKey { get; set; }
    public string? BotToken { get; set; }
    public string ApiBaseUrl { get; set; } = "https://discord.com/api/v10/";
    public string? AuditChannel { get; set; }
}

public sealed class AccessOptions
{
    public List<AccessRule> Rules { get; set; } = [];
    public bool RequireDistinctApprover { get; set; }
}

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

public sealed class ConfirmationOptions
{
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(5);
    public int MaxSessions { get; set; } = 100;
}

public sealed class ProtectionOptions
{
    public bool AllowSuperusers { get; set; }
    public List<string> Roles { get; set; } = [];
    public List<string> Applications { get; set; } = [];
}

public sealed class MonitoringOptions
{
    /// <summary>statement_timeout for every monitoring query.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a kill, once it has signalled all its sessions at once, waits for them to exit before reporting
    /// the ones still there as still running (one wait for the whole action, not one per session).
    /// </summary>
    public TimeSpan TerminateWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows shown when a command gives no limit=.</summary>
    public int DefaultRows { get; set; } = 20;

    /// <summary>How long an idle pooled connection is kept before the pool closes it (the lifeline is never closed).</summary>
    public TimeSpan PoolIdleLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each lifeline runs its cheap check, so that a dead one is noticed and re-opened.</summary>
    public TimeSpan LifelineCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long /readyz reuses each probe's answer (0: only requests that arrive during a probe share it).</summary>
    public TimeSpan ReadinessCacheFor { get; set; } = TimeSpan.FromSeconds(5);
}
