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
            .Configure<IConfiguration>((o, config) =>
            {
                try
                {
                    config.GetSection(WatchOptions.Section).Bind(o);
                }
                catch (InvalidOperationException ex)
                {
                    throw new OptionsValidationException(WatchOptions.Section, typeof(WatchOptions), [SettingsBinding.Describe(ex)]);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WatchOptions>>(sp =>
            new WatchOptionsValidator(sp.GetRequiredService<IOptions<PgChatOpsOptions>>(), sp.GetService<IConfiguration>()));
        services.TryAddSingleton<IAlertSink, LogAlertSink>();
        services.AddSingleton<WatchSampler>();
        services.AddSingleton<IncidentStore>();
        services.AddSingleton<WatchLease>();
        services.AddSingleton<WatchHistory>();
        services.AddSingleton<WatchMetrics>();
        services.AddSingleton<WatchEngine>();
        services.AddHostedService<WatchService>();
        return builder;
    }
}
