using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PgChatOps.Actions;
using PgChatOps.Discord.Gateway;
using PgChatOps.Hosting;

namespace PgChatOps.Discord;

public static class DiscordEndpoints
{
    /// <summary>Interactions are small; anything larger is not from Discord.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static IHostApplicationBuilder AddDiscord(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new DiscordSignatureVerifier(
            sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Discord.PublicKey,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DiscordRateLimits>();
        services.TryAddDetachedWork();
        services.AddTransient<DiscordInteractions>();
        services.AddSingleton<DiscordReplyChannel>();
        services.AddSingleton<DiscordAutocomplete>();
        services.AddSingleton<DiscordAuditChannel>();
        services.AddSingleton<DiscordOpenConfirmations>();
        services.AddSingleton<IActionExpiryListener>(sp => sp.GetRequiredService<DiscordOpenConfirmations>());
        services.AddHttpClient<DiscordApiClient>((sp, http) =>
            {
                var baseUrl = sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Discord.ApiBaseUrl;
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", DiscordApiClient.UserAgent);
                http.Timeout = TimeSpan.FromSeconds(15);
            })
            // Singletons keep this client for the life of the process: rotate connections so DNS changes are seen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The default request log line holds the URL, and a webhook URL holds the interaction token.
            .RemoveAllLoggers()
            .AddPlatformApiResilience(attemptTimeout: TimeSpan.FromSeconds(10), totalTimeout: TimeSpan.FromSeconds(15));
        AddGateway(services);
        return builder;
    }

    /// <summary>
    /// <c>Discord:Mode=gateway</c> (decided when the services start, so settings given late still count): the lease
    /// holder's Gateway session, with its state in <c>/readyz</c> and <c>/metrics</c>. In http mode it does nothing.
    /// </summary>
    private static void AddGateway(IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var discord = sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Discord;
            return new DiscordGatewayOptions(discord.BotToken ?? "", new Uri(discord.ApiBaseUrl));
        });
        services.AddHttpClient(nameof(DiscordGatewayTransport)).RemoveAllLoggers();
        services.AddSingleton<DiscordGatewayInteractionHandler>();
        services.AddSingleton<DiscordGatewayService>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscordGatewayService>());
        services.AddSingleton<IOutboundLink>(sp => sp.GetRequiredService<DiscordGatewayService>());
    }

    /// <summary>In gateway mode nothing comes in over HTTP: <c>/discord/interactions</c> is not mapped (404).</summary>
    public static IEndpointRouteBuilder MapDiscordEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Discord.IsGateway)
        {
            return app;
        }
        app.MapPost("/discord/interactions", InteractionAsync)
            .RequireSignature<DiscordSignatureVerifier>(new SignedRequestRules(
                "Discord",
                MaxBodyBytes,
                Results.Text("request body too large\n", statusCode: StatusCodes.Status413PayloadTooLarge),
                Results.Text("invalid request signature\n", statusCode: StatusCodes.Status401Unauthorized)));
        return app;
    }

    /// <summary>Only bytes in and out: the signature was checked by the filter, the meaning is <see cref="DiscordInteractions"/>'.</summary>
    private static async Task<IResult> InteractionAsync(HttpContext context, DiscordInteractions interactions)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(RawBody.Verified(context));
        }
        catch (JsonException)
        {
            return Malformed();
        }
        using (document)
        {
            var response = await interactions.HandleAsync(document.RootElement, context.RequestAborted);
            return response is null ? Malformed() : Results.Text(response.ToJsonString(DiscordRenderer.Json), "application/json");
        }
    }

    private static IResult Malformed() => Results.Text("malformed interaction\n", statusCode: StatusCodes.Status400BadRequest);
}
