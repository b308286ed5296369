using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// <c>Access:Rules</c>: platforms, permissions, workspaces, and targets that exist (<paramref name="targets"/>, the
/// configured target names). Each failure names the rule's key as the operator wrote it.
/// </summary>
public sealed class AccessOptionsValidator(IReadOnlyCollection<string> targets, IConfiguration? configuration = null) : IValidateOptions<AccessOptions>
{
    private static readonly string[] Platforms = ["slack", "discord", "console", "*"];
    private static readonly string[] Permissions = ["view", "cancel", "terminate"];

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var failures = new List<string>();
        var known = new HashSet<string>(targets, StringComparer.OrdinalIgnoreCase);
        var keys = RuleKeys(options, configuration);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
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
            foreach (var target in rule.Targets.Where(t => t != "*" && !known.Contains(t.Trim())))
            {
                failures.Add($"{key}:Targets names unknown target '{target}'{TargetsValidator.Known(targets)}");
            }
        }
        return SettingsValidator.Result(failures);
    }

    /// <summary>
    /// Each rule's key as the operator wrote it (<c>PgChatOps:Access:Rules:0</c>): a list binds from the configured
    /// children in key order, so map back to those keys.
    /// </summary>
    internal static IReadOnlyList<string> RuleKeys(AccessOptions options, IConfiguration? configuration)
    {
        const string rules = $"{PgChatOpsOptions.Section}:Access:Rules";
        var keys = configuration?.GetSection(rules).GetChildren().Select(c => c.Key).ToList() ?? [];
        if (keys.Count != options.Rules.Count)
        {
            keys = [.. Enumerable.Range(0, options.Rules.Count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }
        return [.. keys.Select(k => $"{rules}:{k}")];
    }
}
