using PgChatOps.Discord;
using PgChatOps.Slack;

namespace PgChatOps.Hosting;

public static class PgChatOpsWeb
{
    /// <summary>Everything the HTTP side adds to the core: the platform adapters.</summary>
    public static IHostApplicationBuilder AddPgChatOpsWeb(this IHostApplicationBuilder builder)
    {
        builder.AddSlack();
        builder.AddDiscord();
        return builder;
    }

    public static WebApplication MapPgChatOps(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (StateStoreMigrator migrator) => migrator.IsReady
            ? Results.Text("ready\n")
            : Results.Text($"not ready: state store {migrator.LastError ?? "not migrated yet"}\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapSlackEndpoints();
        app.MapDiscordEndpoints();
        return app;
    }
}
