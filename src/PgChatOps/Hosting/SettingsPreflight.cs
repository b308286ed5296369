using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// Validates the settings before a host starts, so a broken setting ends the process with the validator's lines
/// only, not with the host's start-up failure log and its stack trace.
/// </summary>
public static class SettingsPreflight
{
    public static void ThrowIfInvalid(IConfiguration configuration)
    {
        var failures = SettingsValidator.Check(SettingsBinding.Bind(configuration), configuration);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(PgChatOpsOptions.Section, typeof(PgChatOpsOptions), failures);
        }
    }

    /// <summary>
    /// The console checks only configured settings: with no target it starts its own demo database and target.
    /// </summary>
    public static void ForConsole(string[] args)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(args);
        builder.AddPgChatOps();
        var configured = builder.Configuration.GetSection($"{PgChatOpsOptions.Section}:Targets").GetChildren()
            .Any(t => !string.IsNullOrWhiteSpace(t["ConnectionString"]));
        if (configured)
        {
            ThrowIfInvalid(builder.Configuration);
        }
    }
}
