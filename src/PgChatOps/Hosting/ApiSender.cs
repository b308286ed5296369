using System.Net;

namespace PgChatOps.Hosting;

/// <summary>
/// One request to a platform API, the same way for Slack and Discord. Transport failures and other 5xx are the
/// resilience handler's (<see cref="ApiResilience"/>, which retries only what is safe to repeat); here, the answers
/// that say the platform did not act and asks to come back: 429 after its wait (<see cref="ApiRetryRules"/>), 503
/// after a short backoff. No URL is ever logged: response_urls and webhook paths are credentials.
/// </summary>
public sealed class ApiSender(HttpClient http, ApiRetryRules rules, TimeProvider time, ILogger log, IApiRateLimits? limits = null)
{
    /// <param name="build">A fresh request for each attempt.</param>
    /// <param name="route">What is called, for rate-limit buckets and log lines (a method or route name, never a URL).</param>
    public async Task<ApiResult> SendAsync(Func<HttpRequestMessage> build, string route, CancellationToken ct)
    {
        var rateLimited = 0;
        var unavailable = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (limits is not null)
            {
                await limits.WaitAsync(route, ct);
            }
            HttpResponseMessage response;
            using (var request = build())
            {
                try
                {
                    response = await http.SendAsync(request, ct);
                }
                catch (HttpRequestException ex)
                {
                    ApiLog.NoAnswer(log, rules.Platform, route, ex.Message);
                    return new ApiResult(null, ex.Message, attempt, "http_unreachable");
                }
                catch (Exception ex) when (ex is TaskCanceledException or TimeoutException or Polly.ExecutionRejectedException && !ct.IsCancellationRequested)
                {
                    ApiLog.NoAnswer(log, rules.Platform, route, ex.GetType().Name);
                    return new ApiResult(null, ex.GetType().Name, attempt, "http_timeout");
                }
            }

            using (response)
            {
                limits?.Observe(route, response.Headers);
                var body = await response.Content.ReadAsStringAsync(ct);
                var result = new ApiResult(response.StatusCode, body, attempt);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && rateLimited < rules.MaxRateLimitRetries)
                {
                    var wait = rules.RetryAfter(response, body);
                    if (wait.Wait > rules.MaxRetryAfter)
                    {
                        if (rules.GiveUpBeyondMaxRetryAfter)
                        {
                            ApiLog.RateLimitTooLong(log, rules.Platform, route, wait.Wait.TotalSeconds);
                            return result;
                        }
                        wait = wait with { Wait = rules.MaxRetryAfter };
                    }
                    rateLimited++;
                    limits?.Hold(route, wait);
                    ApiLog.RateLimited(log, rules.Platform, route, wait.Wait.TotalSeconds, rateLimited, rules.MaxRateLimitRetries);
                    await Task.Delay(wait.Wait, time, ct);
                    continue;
                }
                if (ApiRetryRules.IsUnavailable(response) && unavailable < rules.MaxUnavailableRetries)
                {
                    unavailable++;
                    ApiLog.Unavailable(log, rules.Platform, route);
                    await Task.Delay(ApiRetryRules.UnavailableBackoff(unavailable), time, ct);
                    continue;
                }
                if (!result.IsSuccess)
                {
                    ApiLog.Refused(log, rules.Platform, route, (int)response.StatusCode);
                }
                return result;
            }
        }
    }
}
