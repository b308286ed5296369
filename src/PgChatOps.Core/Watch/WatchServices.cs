using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Watch;

public static class WatchServices
{
    /// <summary>
    /// The watch (issue 12), after <c>AddPgChatOps</c>: <c>PgChatOps:Watch</c> bound and validated at start-up, the engine,
    /// and the hosted loop. Register an <see cref="IAlertSink"/> before or after this call to post alerts to chat;
    /// without one, alerts go to the log.
    /// </summary>
    public static IHostApplicationBuilder AddPgChatOpsWatch(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WatchOptions>()
            .Configure<IConfiguration>((o, config) => Bind(config, o))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WatchOptions>>(sp =>
            new WatchOptionsValidator(sp.GetRequiredService<IOptions<PgChatOpsOptions>>(), sp.GetService<IConfiguration>()));
        services.TryAddSingleton<IAlertSink, LogAlertSink>();
        services.AddSingleton<WatchSampler>();
        services.AddSingleton<IncidentStore>();
        services.AddSingleton<WatchLease>();
        services.AddSingleton<WatchHistory>();
        services.AddSingleton<WatchMetrics>();
        services.AddSingleton<AlertFixes>();
        services.AddSingleton<WatchEngine>();
        services.AddSingleton<WatchDesk>();
        services.AddHostedService<WatchService>();
        return builder;
    }

    /// <summary>
    /// Binds <c>PgChatOps:Watch</c>. Rules are bound one by one: the binder silently drops a list element it cannot
    /// convert (an Interval of "30 seconds"), which would turn a typo into a rule that never fires.
    /// </summary>
    public static void Bind(IConfiguration config, WatchOptions options)
    {
        var failures = new List<string>();
        try
        {
            config.GetSection(WatchOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            failures.Add(SettingsBinding.Describe(ex));
        }
        options.Rules = [];
        foreach (var child in config.GetSection($"{WatchOptions.Section}:Rules").GetChildren())
        {
            var rule = new WatchRuleOptions();
            try
            {
                child.Bind(rule);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(SettingsBinding.Describe(ex));
            }
            options.Rules.Add(rule);
        }
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(WatchOptions.Section, typeof(WatchOptions), failures);
        }
    }
}
