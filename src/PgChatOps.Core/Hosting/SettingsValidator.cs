using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PgChatOps.Hosting;

/// <summary>
/// Checks the settings at start-up. Each failure is one line that names the key exactly as an operator sets it
/// (<c>PgChatOps:Targets:prod:ConnectionString is empty</c>), so a broken deployment stops with a clear reason.
/// </summary>
public sealed class SettingsValidator(IConfiguration? configuration = null) : IValidateOptions<PgChatOpsOptions>
{
    private const string P = PgChatOpsOptions.Section;
    private static readonly string[] Platforms = ["slack", "discord", "console", "*"];
    private static readonly string[] Permissions = ["view", "cancel", "terminate"];

    public ValidateOptionsResult Validate(string? name, PgChatOpsOptions options)
    {
        var failures = Check(options, configuration);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IReadOnlyList<string> Check(PgChatOpsOptions o, IConfiguration? configuration = null)
    {
        var failures = new List<string>();
        CheckTargets(o, failures);
        CheckAccess(o, configuration, failures);
        CheckDurations(o, failures);
        CheckSlack(o.Slack, failures);
        CheckDiscord(o.Discord, failures);
        return failures;
    }

    private static void CheckTargets(PgChatOpsOptions o, List<string> failures)
    {
        if (o.Targets.Count == 0)
        {
            failures.Add($"{P}:Targets has no target: set {P}:Targets:<name>:ConnectionString (environment: {P}__Targets__<name>__ConnectionString)");
        }
        foreach (var (name, target) in o.Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            CheckConnectionString($"{P}:Targets:{name}:ConnectionString", target.ConnectionString, required: true, failures);
        }
        if (o.DefaultTarget is { Length: > 0 } d && !o.Targets.ContainsKey(d))
        {
            failures.Add($"{P}:DefaultTarget '{d}' is not a configured target{Known(o)}");
        }
        CheckConnectionString($"{P}:StateConnectionString", o.StateConnectionString, required: false, failures);
        CheckConnectionString($"{P}:MigrationConnectionString", o.MigrationConnectionString, required: false, failures);
    }

    private static void CheckConnectionString(string key, string? value, bool required, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                failures.Add($"{key} is empty");
            }
            return;
        }
        try
        {
            var csb = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrWhiteSpace(csb.Host))
            {
                failures.Add($"{key} names no Host");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // Never echo the value: it may hold a password.
            failures.Add($"{key} is not a valid Npgsql connection string (e.g. Host=db;Username=pgchatops;Password=…;Database=postgres)");
        }
    }

    private static void CheckAccess(PgChatOpsOptions o, IConfiguration? configuration, List<string> failures)
    {
        var keys = RuleKeys(o, configuration);
        for (var i = 0; i < o.Access.Rules.Count; i++)
        {
            var rule = o.Access.Rules[i];
            var key = keys[i];
            if (rule.Workspaces.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{key}:Workspaces has an empty entry; use Slack team ids (T…), Discord guild ids, or *");
            }
            if (rule.Platform is { Length: > 0 } platform && !Platforms.Contains(platform.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{key}:Platform is '{platform}'; use slack, discord, console or *");
            }
            foreach (var allow in rule.Allow.Where(a => !Permissions.Contains(a.Trim(), StringComparer.OrdinalIgnoreCase)))
            {
                failures.Add($"{key}:Allow has '{allow}'; use view, cancel or terminate");
            }
            foreach (var target in rule.Targets.Where(t => t != "*" && !o.Targets.ContainsKey(t.Trim())))
            {
                failures.Add($"{key}:Targets names unknown target '{target}'{Known(o)}");
            }
        }
    }

    /// <summary>
    /// Each rule's key as the operator wrote it (<c>PgChatOps:Access:Rules:0</c>): a list binds from the configured
    /// children in key order, so map back to those keys.
    /// </summary>
    internal static IReadOnlyList<string> RuleKeys(PgChatOpsOptions o, IConfiguration? configuration)
    {
        var keys = configuration?.GetSection($"{P}:Access:Rules").GetChildren().Select(c => c.Key).ToList() ?? [];
        if (keys.Count != o.Access.Rules.Count)
        {
            keys = [.. Enumerable.Range(0, o.Access.Rules.Count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }
        return [.. keys.Select(k => $"{P}:Access:Rules:{k}")];
    }

    private static void CheckDurations(PgChatOpsOptions o, List<string> failures)
    {
        var ttl = o.Confirmation.TimeToLive;
        if (ttl < TimeSpan.FromSeconds(10) || ttl > TimeSpan.FromHours(1))
        {
            failures.Add($"{P}:Confirmation:TimeToLive must be between 10 seconds and 1 hour (e.g. 00:05:00)");
        }
        if (o.Confirmation.MaxSessions is < 1 or > 10_000)
        {
            failures.Add($"{P}:Confirmation:MaxSessions must be between 1 and 10000");
        }
        if (o.Monitoring.StatementTimeout < TimeSpan.FromMilliseconds(100) || o.Monitoring.StatementTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{P}:Monitoring:StatementTimeout must be between 100 milliseconds and 5 minutes (e.g. 00:00:05)");
        }
        if (o.Monitoring.TerminateWait < TimeSpan.Zero || o.Monitoring.TerminateWait > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{P}:Monitoring:TerminateWait must be between 0 and 1 minute (e.g. 00:00:05)");
        }
        if (o.Monitoring.DefaultRows is < 1 or > 1000)
        {
            failures.Add($"{P}:Monitoring:DefaultRows must be between 1 and 1000");
        }
        if (o.Monitoring.PoolIdleLifetime < TimeSpan.FromSeconds(1) || o.Monitoring.PoolIdleLifetime > TimeSpan.FromHours(1))
        {
            failures.Add($"{P}:Monitoring:PoolIdleLifetime must be between 1 second and 1 hour (e.g. 00:05:00)");
        }
        if (o.Monitoring.LifelineCheckInterval < TimeSpan.FromMilliseconds(100) || o.Monitoring.LifelineCheckInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{P}:Monitoring:LifelineCheckInterval must be between 100 milliseconds and 10 minutes (e.g. 00:00:10)");
        }
        if (o.Monitoring.ReadinessCacheFor < TimeSpan.Zero || o.Monitoring.ReadinessCacheFor > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{P}:Monitoring:ReadinessCacheFor must be between 0 and 1 minute (e.g. 00:00:05)");
        }
    }

    private static void CheckSlack(SlackOptions s, List<string> failures)
    {
        var enabled = Set(s.BotToken) || Set(s.SigningSecret) || Set(s.AuditChannel) || Set(s.AppToken);
        if (enabled)
        {
            if (!Set(s.SigningSecret))
            {
                failures.Add($"{P}:Slack:SigningSecret is empty, but Slack is enabled (a Slack bot token, app token or audit channel is set): requests could not be verified");
            }
            if (!Set(s.BotToken))
            {
                failures.Add($"{P}:Slack:BotToken is empty, but Slack is enabled (a Slack signing secret, app token or audit channel is set)");
            }
        }
        CheckBaseUrl($"{P}:Slack:ApiBaseUrl", s.ApiBaseUrl, failures);
    }

    private static void CheckDiscord(DiscordOptions d, List<string> failures)
    {
        if ((Set(d.ApplicationId) || Set(d.BotToken) || Set(d.AuditChannel)) && !Set(d.PublicKey))
        {
            failures.Add($"{P}:Discord:PublicKey is empty, but Discord is enabled (an application id, bot token or audit channel is set): interactions could not be verified");
        }
        if (Set(d.PublicKey) && (d.PublicKey!.Trim().Length != 64 || !d.PublicKey.Trim().All(char.IsAsciiHexDigit)))
        {
            failures.Add($"{P}:Discord:PublicKey must be 64 hexadecimal characters (the application's public key from the developer portal)");
        }
        if (Set(d.AuditChannel) && !Set(d.BotToken))
        {
            failures.Add($"{P}:Discord:BotToken is empty, but {P}:Discord:AuditChannel is set: the bot could not post there");
        }
        CheckBaseUrl($"{P}:Discord:ApiBaseUrl", d.ApiBaseUrl, failures);
    }

    private static void CheckBaseUrl(string key, string? value, List<string> failures)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{key} must be an absolute http(s) URL");
        }
    }

    private static bool Set(string? value) => !string.IsNullOrWhiteSpace(value);

    private static string Known(PgChatOpsOptions o) =>
        o.Targets.Count == 0 ? " (no target is configured)" : $" (configured: {string.Join(", ", o.Targets.Keys.Order(StringComparer.Ordinal))})";
}
