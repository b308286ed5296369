using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PgChatOps.Actions;
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
        services.AddSingleton(sp => new DiscordSignatureVerifier(sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Discord.PublicKey));
        services.AddSingleton<DiscordRateLimits>();
        services.TryAddDetachedWork();
        services.AddTransient<DiscordInteractions>();
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
            .RemoveAllLoggers();
        return builder;
    }

    public static IEndpointRouteBuilder MapDiscordEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/discord/interactions", InteractionAsync).AddEndpointFilter<MalformedRequestFilter>();
        return app;
    }

    private static async Task<IResult> InteractionAsync(
        HttpContext context, DiscordSignatureVerifier verifier, DiscordInteractions interactions, TimeProvider time, ILogger<DiscordInteractions> log)
    {
        var body = await RawBody.ReadAsync(context.Request, MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return Results.Text("request body too large\n", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var headers = context.Request.Headers;
        var timestamp = headers["X-Signature-Timestamp"].ToString();
        if (!verifier.Verify(headers["X-Signature-Ed25519"].ToString(), timestamp, body)
            || !DiscordSignatureVerifier.IsFresh(timestamp, time.GetUtcNow()))
        {
            // Discord sends bad signatures on purpose to test the endpoint: routine, so not a warning.
            log.LogDebug("Rejected a Discord interaction with a missing, invalid or stale signature{NoKey}.",
                verifier.HasKey ? "" : " (Discord:PublicKey is not set or not a valid key)");
            return Results.Text("invalid request signature\n", statusCode: StatusCodes.Status401Unauthorized);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Results.Text("malformed interaction\n", statusCode: StatusCodes.Status400BadRequest);
        }
        using (document)
        {
            var response = await interactions.HandleAsync(document.RootElement, context.RequestAborted);
            return response is null
                ? Results.Text("malformed interaction\n", statusCode: StatusCodes.Status400BadRequest)
                : Results.Text(response.ToJsonString(DiscordRenderer.Json), "application/json");
        }
    }
}
