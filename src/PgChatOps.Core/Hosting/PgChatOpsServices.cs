using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Commands;

namespace PgChatOps.Hosting;

public static class PgChatOpsServices
{
    /// <summary>The platform-neutral core: settings, targets, state store, pipeline.</summary>
    public static IHostApplicationBuilder AddPgChatOps(this IHostApplicationBuilder builder)
    {
        // The root appsettings.json is copied beside the binary: read it whatever the working directory,
        // before the content root's files and environment variables so that those still win.
        var shipped = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .Build();
        builder.Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = shipped, ShouldDisposeConfiguration = true });

        var services = builder.Services;
        services.AddOptions<PgChatOpsOptions>()
            .Configure<IConfiguration>((o, config) => SettingsBinding.Bind(config, o))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PgChatOpsOptions>>(sp => new SettingsValidator(sp.GetService<IConfiguration>()));
        // IOptions<T> would bind and validate a second instance of its own; share the one the start-up check made.
        services.AddSingleton<IOptions<PgChatOpsOptions>>(sp => Options.Create(sp.GetRequiredService<IOptionsMonitor<PgChatOpsOptions>>().CurrentValue));
        // Each feature's part of that one instance, for services that need only their own settings.
        services.AddSingleton<IOptions<SlackOptions>>(sp => Options.Create(Settings(sp).Slack));
        services.AddSingleton<IOptions<DiscordOptions>>(sp => Options.Create(Settings(sp).Discord));
        services.AddSingleton<IOptions<AccessOptions>>(sp => Options.Create(Settings(sp).Access));
        services.AddSingleton<IOptions<ConfirmationOptions>>(sp => Options.Create(Settings(sp).Confirmation));
        services.AddSingleton<IOptions<ProtectionOptions>>(sp => Options.Create(Settings(sp).Protection));
        services.AddSingleton<IOptions<MonitoringOptions>>(sp => Options.Create(Settings(sp).Monitoring));
        services.AddMetrics();
        services.AddSingleton<PgChatOpsMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TargetRegistry>();
        services.AddSingleton<ActivityReader>();
        services.AddSingleton<NameSuggestions>();
        services.AddSingleton<Snapshots.SessionSnapshot>();
        services.AddSingleton<StateStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<SeenRequests>();
        services.AddSingleton<PendingActionStore>();
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<ProtectionPolicy>();
        services.AddSingleton<BackendSignaller>();
        services.AddSingleton<ActionService>();
        services.AddSingleton<CommandPipeline>();
        services.AddSingleton<StateStoreMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<StateStoreMigrator>());
        services.AddHostedService<ExpirySweeper>();
        services.AddHostedService<LifelineKeeper>();
        return builder;
    }

    private static PgChatOpsOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<PgChatOpsOptions>>().Value;
}
