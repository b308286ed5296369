using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>The <c>Monitoring</c> timeouts, intervals and row count within sane bounds.</summary>
public sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    private const string P = PgChatOpsOptions.Section;

    public ValidateOptionsResult Validate(string? name, MonitoringOptions options)
    {
        var failures = new List<string>();
        if (options.StatementTimeout < TimeSpan.FromMilliseconds(100) || options.StatementTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{P}:Monitoring:StatementTimeout must be between 100 milliseconds and 5 minutes (e.g. 00:00:05)");
        }
        if (options.TerminateWait < TimeSpan.Zero || options.TerminateWait > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{P}:Monitoring:TerminateWait must be between 0 and 1 minute (e.g. 00:00:05)");
        }
        if (options.DefaultRows is < 1 or > 1000)
        {
            failures.Add($"{P}:Monitoring:DefaultRows must be between 1 and 1000");
        }
        if (options.PoolIdleLifetime < TimeSpan.FromSeconds(1) || options.PoolIdleLifetime > TimeSpan.FromHours(1))
        {
            failures.Add($"{P}:Monitoring:PoolIdleLifetime must be between 1 second and 1 hour (e.g. 00:05:00)");
        }
        if (options.LifelineCheckInterval < TimeSpan.FromMilliseconds(100) || options.LifelineCheckInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{P}:Monitoring:LifelineCheckInterval must be between 100 milliseconds and 10 minutes (e.g. 00:00:10)");
        }
        if (options.ReadinessCacheFor < TimeSpan.Zero || options.ReadinessCacheFor > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{P}:Monitoring:ReadinessCacheFor must be between 0 and 1 minute (e.g. 00:00:05)");
        }
        return SettingsValidator.Result(failures);
    }
}
