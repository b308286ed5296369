using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using PgChatOps.Actions;
using PgChatOps.Hosting;
using PgChatOps.Slack.SocketMode;

namespace PgChatOps.Slack;

/// <summary>
/// Slack over HTTP: the three signed endpoints. Each one only turns bytes into the payload <see cref="SlackInbound"/>
/// takes and its answer into the HTTP response; the signature is checked before, by <see cref="SignedRequestFilter{TVerifier}"/>.
/// </summary>
public static class SlackEndpoints
{
    public const string HttpClientName = "Slack";

    public static IHostApplicationBuilder AddSlack(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => new SlackSignatureVerifier(
            sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Slack.SigningSecret,
            sp.GetRequiredService<TimeProvider>()));

        // Held by singletons: a long-lived handler with pooled connections recycled for DNS changes.
        services.AddHttpClient(HttpClientName, (sp, client) =>
            {
                var baseUrl = sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Slack.ApiBaseUrl;
                // A bad setting must not turn every Slack request into a 500: calls then fail with not_configured.
                if (Uri.TryCreate(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute, out var api))
                {
                    client.BaseAddress = api;
                }
                client.Timeout = TimeSpan.FromMinutes(2);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The default request log names each URL, and a response_url is a credential for 30 minutes.
            .RemoveAllLoggers()
            .AddPlatformApiResilience(attemptTimeout: TimeSpan.FromSeconds(10), totalTimeout: TimeSpan.FromSeconds(45));

        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SlackApiClient>(sp,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.TryAddDetachedWork();
        services.AddSingleton<SlackUserGroups>();
        services.AddSingleton<SlackReplyChannel>();
        services.AddSingleton<SlackOpenConfirmations>();
        services.AddSingleton<IActionExpiryListener>(sp => sp.GetRequiredService<SlackOpenConfirmations>());
        services.AddSingleton<SlackCommands>();
        services.AddSingleton<SlackInteractions>();
        services.AddSingleton<SlackEvents>();
        services.AddSingleton<SlackInbound>();

        // Slack:Mode=socket. The service idles in HTTP mode; the mode is read at start-up, after every settings source.
        services.AddHttpClient(SlackSocketModeService.HttpClientName)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        services.AddSingleton(sp => SlackSocketModeService.SettingsFrom(sp.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Slack));
        services.AddSingleton<SlackSocketModeService>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackSocketModeService>());
        services.AddSingleton<IOutboundLink>(sp => sp.GetRequiredService<SlackSocketModeService>());
        return builder;
    }

    /// <summary>The three signed endpoints, in HTTP mode only: in Socket Mode nothing listens there (404, nothing done).</summary>
    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Slack.IsSocketMode())
        {
            return app;
        }
        app.MapPost("/slack/commands", async (HttpContext context, SlackInbound slack) =>
            {
                var form = Form(RawBody.Verified(context));
                return Results.Json((await slack.CommandAsync(form, context.RequestAborted)).Body);
            })
            .RequireSignature<SlackSignatureVerifier>(Rules(SlackCommands.MaxBody, body => SlackCommands.IsSslCheck(Form(body)) ? Results.Ok() : null));
        app.MapPost("/slack/interactions", (HttpContext context, SlackInbound slack) =>
            {
                var form = Form(RawBody.Verified(context));
                JsonObject? payload = null;
                try
                {
                    payload = form("payload") is { } p ? JsonNode.Parse(p) as JsonObject : null;
                }
                catch (JsonException)
                {
                    // Answered below.
                }
                return payload is null
                    ? Results.BadRequest("expected a form field 'payload' holding a JSON object")
                    : Answer(slack.Interaction(payload));
            })
            .RequireSignature<SlackSignatureVerifier>(Rules(SlackInteractions.MaxBody));
        app.MapPost("/slack/events", (HttpContext context, SlackInbound slack) =>
            {
                JsonObject? payload;
                try
                {
                    payload = JsonNode.Parse(RawBody.Verified(context)) as JsonObject;
                }
                catch (JsonException)
                {
                    payload = null;
                }
                return payload is null ? Results.BadRequest("expected a JSON object") : Answer(slack.Event(payload));
            })
            .RequireSignature<SlackSignatureVerifier>(Rules(SlackEvents.MaxBody));
        return app;
    }

    private static SignedRequestRules Rules(int maxBody, Func<byte[], IResult?>? answerUnsigned = null) => new(
        "Slack",
        maxBody,
        Results.StatusCode(StatusCodes.Status413PayloadTooLarge),
        Results.Text("invalid or missing Slack signature\n", statusCode: StatusCodes.Status401Unauthorized),
        answerUnsigned);

    private static IResult Answer(JsonObject? ack) => ack is null ? Results.Ok() : Results.Json(ack);

    /// <summary>A form-encoded body's fields: the first value of each, or null when absent.</summary>
    private static Func<string, string?> Form(byte[] body)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        return name => form.TryGetValue(name, out StringValues v) && v.Count > 0 ? v[0] : null;
    }
}
