using Microsoft.Extensions.Options;
using Npgsql;

namespace PgChatOps.Hosting;

/// <summary>The targets and the state store: <c>Targets</c>, <c>DefaultTarget</c> and the connection strings.</summary>
public sealed class TargetsValidator : IValidateOptions<PgChatOpsOptions>
{
    private const string P = PgChatOpsOptions.Section;

    public ValidateOptionsResult Validate(string? name, PgChatOpsOptions options)
    {
        var failures = new List<string>();
        if (options.Targets.Count == 0)
        {
            failures.Add($"{P}:Targets has no target: set {P}:Targets:<name>:ConnectionString (environment: {P}__Targets__<name>__ConnectionString)");
        }
        foreach (var (target, settings) in options.Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            CheckConnectionString($"{P}:Targets:{target}:ConnectionString", settings.ConnectionString, required: true, failures);
        }
        if (options.DefaultTarget is { Length: > 0 } d && !options.Targets.ContainsKey(d))
        {
            failures.Add($"{P}:DefaultTarget '{d}' is not a configured target{Known(options.Targets.Keys)}");
        }
        CheckConnectionString($"{P}:StateConnectionString", options.StateConnectionString, required: false, failures);
        CheckConnectionString($"{P}:MigrationConnectionString", options.MigrationConnectionString, required: false, failures);
        return SettingsValidator.Result(failures);
    }

    /// <summary>" (configured: a, b)", the tail of every failure that names an unknown target.</summary>
    internal static string Known(IEnumerable<string> targets)
    {
        var names = targets.Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? " (no target is configured)" : $" (configured: {string.Join(", ", names)})";
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
}
