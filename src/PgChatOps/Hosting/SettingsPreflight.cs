using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// Validates the settings before a host starts, so a broken setting ends the process with the validator's lines
/// only, not with the host's start-up failure log and its stack trace. It runs the host's own start-up validation
/// early: the options it validates are the ones the host and its services then use, so nothing is validated twice.
/// </summary>
public static class SettingsPreflight
{
    private static readonly ConditionalWeakTable<IConfiguration, object> Validated = [];

    /// <summary>
    /// Everything registered with <c>ValidateOnStart</c>, now; every failure of every options type in one
    /// <see cref="OptionsValidationException"/>.
    /// </summary>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            var all = ex.InnerExceptions.Cast<OptionsValidationException>().ToList();
            throw new OptionsValidationException(all[0].OptionsName, all[0].OptionsType, [.. all.SelectMany(e => e.Failures)]);
        }
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            Validated.AddOrUpdate(configuration, configuration);
        }
    }

    /// <summary>
    /// For a caller that holds only the configuration: nothing to do when its host was validated already
    /// (<see cref="ThrowIfInvalid(IServiceProvider)"/>), else the same validators over a fresh binding.
    /// </summary>
    public static void ThrowIfInvalid(IConfiguration configuration)
    {
        if (Validated.TryGetValue(configuration, out _))
        {
            return;
        }
        var failures = SettingsValidator.Check(SettingsBinding.Bind(configuration), configuration);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(PgChatOpsOptions.Section, typeof(PgChatOpsOptions), failures);
        }
    }
}
