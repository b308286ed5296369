using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Slack;

/// <summary>
/// The Slack Web API and response_url posts. JSON bodies, the bot token as a Bearer header (never for
/// response_url), <c>ok:false</c> as <see cref="SlackApiException"/>. 429 waits for Retry-After here, a bounded
/// number of times; transient 5xx and timeouts are retried by the resilience handler registered with the client.
/// </summary>
public sealed class SlackApiClient(HttpClient http, IOptions<PgChatOpsOptions> options, TimeProvider time, ILogger<SlackApiClient> log)
{
    public const int MaxRateLimitWaits = 3;
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private readonly SlackOptions _slack = options.Value.Slack;

    /// <summary>Calls a Web API method (e.g. <c>chat.postMessage</c>) and returns the whole answer when ok.</summary>
    public async Task<JsonObject> CallAsync(string method, JsonObject arguments, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(_slack.BotToken))
        {
            throw new SlackApiException("not_configured: PgChatOps:Slack:BotToken is empty");
        }
        if (http.BaseAddress is null)
        {
            throw new SlackApiException("not_configured: PgChatOps:Slack:ApiBaseUrl is not an absolute URL");
        }
        var body = arguments.ToJsonString();
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(method, UriKind.Relative)) { Content = Json(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _slack.BotToken);
            return request;
        }, method, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException ex)
        {
            throw new SlackApiException("invalid_response", ex);
        }
        if (answer is null)
        {
            throw new SlackApiException("invalid_response");
        }
        if (answer["ok"]?.GetValueKind() != JsonValueKind.True)
        {
            throw new SlackApiException(answer["error"]?.ToString() ?? "unknown_error");
        }
        return answer;
    }

    /// <summary>chat.postMessage; returns the new message's ts.</summary>
    public async Task<string?> PostMessageAsync(string channel, JsonObject message, string? threadTs, CancellationToken ct)
    {
        message["channel"] = channel;
        if (threadTs is not null)
        {
            message["thread_ts"] = threadTs;
        }
        var answer = await CallAsync("chat.postMessage", message, ct);
        return answer["ts"]?.ToString();
    }

    public async Task PostEphemeralAsync(string channel, string user, JsonObject message, string? threadTs, CancellationToken ct)
    {
        message["channel"] = channel;
        message["user"] = user;
        if (threadTs is not null)
        {
            message["thread_ts"] = threadTs;
        }
        await CallAsync("chat.postEphemeral", message, ct);
    }

    /// <summary>The members of one user group (usergroups.users.list).</summary>
    public async Task<IReadOnlyList<string>> UserGroupMembersAsync(string userGroup, CancellationToken ct)
    {
        var answer = await CallAsync("usergroups.users.list", new JsonObject { ["usergroup"] = userGroup }, ct);
        return answer["users"] is JsonArray users
            ? users.Select(u => u?.ToString()).OfType<string>().ToList()
            : [];
    }

    /// <summary>A message to an interaction's or command's response_url (absolute; no token).</summary>
    public async Task PostToResponseUrlAsync(Uri responseUrl, JsonObject message, CancellationToken ct)
    {
        if (!SlackResponseUrl.IsAllowed(responseUrl, _slack.ApiBaseUrl))
        {
            throw new SlackApiException("untrusted_response_url: only https://hooks.slack.com/ (or the host of PgChatOps:Slack:ApiBaseUrl)");
        }
        var body = message.ToJsonString();
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, responseUrl) { Content = Json(body) }, "response_url", ct);
        // response_url answers "ok" as text, or JSON {"ok":false,"error":…} on failure.
        var text = await response.Content.ReadAsStringAsync(ct);
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject answer && answer["ok"]?.GetValueKind() == JsonValueKind.False)
                {
                    throw new SlackApiException(answer["error"]?.ToString() ?? "unknown_error");
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: a 2xx is success.
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, string what, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            using (var request = build())
            {
                try
                {
                    response = await http.SendAsync(request, ct);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException or Polly.ExecutionRejectedException && !ct.IsCancellationRequested)
                {
                    throw new SlackApiException(ex is HttpRequestException ? "http_unreachable" : "http_timeout", ex);
                }
            }
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxRateLimitWaits)
            {
                var wait = RetryAfter(response);
                response.Dispose();
                SlackLog.RateLimited(log, what, wait.TotalSeconds, attempt + 1, MaxRateLimitWaits);
                await Task.Delay(wait, time, ct);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                throw new SlackApiException(status == 429 ? "ratelimited" : "http_" + status.ToString(CultureInfo.InvariantCulture));
            }
            return response;
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta
            ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : (TimeSpan?)null)
            ?? TimeSpan.FromSeconds(1);
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }
        return wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
