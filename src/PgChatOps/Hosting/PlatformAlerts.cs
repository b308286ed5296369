using Microsoft.Extensions.DependencyInjection.Extensions;
using PgChatOps.Discord;
using PgChatOps.Slack;
using PgChatOps.Watch;

namespace PgChatOps.Hosting;

public static class PlatformAlerts
{
    /// <summary>
    /// Watch alerts in Slack and Discord (<see cref="PlatformAlertSink"/>). Call before <c>AddPgChatOpsWatch</c>,
    /// which otherwise falls back to the log.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformAlerts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddDetachedWork();
        services.TryAddSingleton(AlertPacing.Default);
        services.AddSingleton<AlertEditPacer>();
        services.AddSingleton<SlackAlertSink>();
        services.AddSingleton<DiscordAlertSink>();
        services.AddSingleton<IAlertSink, PlatformAlertSink>();
        return builder;
    }
}
