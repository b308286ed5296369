using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace PgChatOps.Hosting;

/// <summary>
/// The one resilience handler for the Slack and Discord API clients: attempt and total timeouts, a circuit breaker,
/// and retries of transient failures (5xx, 408, timeouts, dropped connections) only where repeating cannot do a
/// thing twice: an idempotent request, or one that never reached the platform. A chat.postMessage that timed out
/// may have posted, so it is not sent again. 429 and 503 are <see cref="ApiSender"/>'s.
/// </summary>
public static class ApiResilience
{
    /// <summary>Marks a POST that is safe to repeat (a read such as usergroups.users.list, or chat.update).</summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("PgChatOps.Idempotent");

    public static IHttpClientBuilder AddPlatformApiResilience(this IHttpClientBuilder builder, TimeSpan attemptTimeout, TimeSpan totalTimeout)
    {
        builder.AddStandardResilienceHandler(o =>
        {
            o.Retry.MaxRetryAttempts = 3;
            o.Retry.Delay = TimeSpan.FromMilliseconds(300);
            o.Retry.ShouldRetryAfterHeader = false;
            o.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage()));
            o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome));
            o.AttemptTimeout.Timeout = attemptTimeout;
            o.TotalRequestTimeout.Timeout = totalTimeout;
        });
        return builder;
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        if (!IsFailure(outcome) || outcome.Result?.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError })
        {
            return true;
        }
        return request is not null && IsIdempotent(request);
    }

    internal static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
        || request.Method == HttpMethod.Patch || request.Method == HttpMethod.Head
        || (request.Options.TryGetValue(Idempotent, out var idempotent) && idempotent);

    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}
