using OpenTelemetry.Metrics;
using PgChatOps.Discord;
using PgChatOps.Slack;

namespace PgChatOps.Hosting;

public static class PgChatOpsWeb
{
    /// <summary>Registers <see cref="DetachedWork"/> and <see cref="InlineOrDefer"/> once, however many adapters ask for them.</summary>
    public static IServiceCollection TryAddDetachedWork(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(DetachedWork)))
        {
            return services;
        }
        services.AddSingleton<DetachedWork>();
        services.AddSingleton<InlineOrDefer>();
        services.AddHostedService(sp => sp.GetRequiredService<DetachedWork>());
        return services;
    }

    /// <summary>How long a stopping replica lets in-flight commands and clicks finish (SIGTERM to exit).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Everything the HTTP side adds to the core: logging, metrics, the platform adapters.</summary>
    public static IHostApplicationBuilder AddPgChatOpsWeb(this IHostApplicationBuilder builder)
    {
        builder.AddPgChatOpsLogging();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton<ReadinessCheck>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(PgChatOpsMetrics.MeterName)
            .AddView(PgChatOpsMetrics.CommandDuration, new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            })
            .AddPrometheusExporter());
        builder.AddSlack();
        builder.AddDiscord();
        return builder;
    }

    public static WebApplication MapPgChatOps(this WebApplication app)
    {
        SettingsPreflight.ThrowIfInvalid(app.Configuration);
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (ReadinessCheck readiness, CancellationToken ct) =>
        {
            var (ready, body) = await readiness.CheckAsync(ct);
            return Results.Text(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapPrometheusScrapingEndpoint();
        app.MapSlackEndpoints();
        app.MapDiscordEndpoints();
        return app;
    }
}
