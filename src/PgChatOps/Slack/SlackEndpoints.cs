using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using PgChatOps.Actions;
using PgChatOps.Hosting;

namespace PgChatOps.Slack;

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
            .AddStandardResilienceHandler(o =>
            {
                // 429 is SlackApiClient's: it waits for Retry-After itself. Here only 5xx, 408 and timeouts.
                o.Retry.MaxRetryAttempts = 3;
                o.Retry.Delay = TimeSpan.FromMilliseconds(300);
                o.Retry.ShouldRetryAfterHeader = false;
                o.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
                o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(45);
            });

        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SlackApiClient>(sp,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.TryAddDetachedWork();
        services.AddSingleton<SlackUserGroups>();
        services.AddSingleton<SlackDelivery>();
        services.AddSingleton<SlackOpenConfirmations>();
        services.AddSingleton<IActionExpiryListener>(sp => sp.GetRequiredService<SlackOpenConfirmations>());
        services.AddSingleton<SlackCommands>();
        services.AddSingleton<SlackInteractions>();
        services.AddSingleton<SlackEvents>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/slack/commands", (HttpRequest request, SlackCommands commands) => commands.HandleAsync(request))
            .AddEndpointFilter<MalformedRequestFilter>();
        app.MapPost("/slack/interactions", (HttpRequest request, SlackInteractions interactions) => interactions.HandleAsync(request))
            .AddEndpointFilter<MalformedRequestFilter>();
        app.MapPost("/slack/events", (HttpRequest request, SlackEvents events) => events.HandleAsync(request))
            .AddEndpointFilter<MalformedRequestFilter>();
        return app;
    }

    private static bool IsTransient(Polly.Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}
