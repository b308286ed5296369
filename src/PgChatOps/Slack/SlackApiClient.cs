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
/// response_url), <c>ok:false</c> and HTTP failures as <see cref="SlackApiException"/>. Requests go through
/// <see cref="ApiSender"/>: 429 waits for Retry-After (capped, a bounded number of times), 503 is retried; other
/// transient failures are the resilience handler's, which repeats only the methods in <see cref="IdempotentMethods"/>.
/// </summary>
public sealed class SlackApiClient(HttpClient http, IOptions<PgChatOpsOptions> options, TimeProvider time, ILogger<SlackApiClient> log)
{
    public const int MaxRateLimitWaits = 3;
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>Web API methods that change nothing, or end in the same state, when sent twice.</summary>
    public static readonly IReadOnlySet<string> IdempotentMethods = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth.test", "usergroups.users.list", "chat.update",
    };

    private readonly SlackOptions _slack = options.Value.Slack;

    private readonly ApiSender _sender = new(http, new ApiRetryRules
    {
        Platform = "Slack",
        RetryAfter = (response, _) => new RateLimitWait(RetryAfter(response, time)),
        MaxRateLimitRetries = MaxRateLimitWaits,
        MaxRetryAfter = MaxRetryAfter,
        // Slack's limits are per method and minute: waiting the longest and trying again is reasonable.
        GiveUpBeyondMaxRetryAfter = false,
    }, time, log);

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
        var text = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(method, UriKind.Relative)) { Content = Json(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _slack.BotToken);
            request.Options.Set(ApiResilience.Idempotent, IdempotentMethods.Contains(method));
            return request;
        }, method, ct);
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

    /// <summary>
    /// Shares a file in a channel or thread with Slack's external upload (<see cref="SlackFileUpload"/>): response_url
    /// cannot carry files, so this always uses the bot token. Never throws for a Slack or HTTP failure.
    /// </summary>
    public Task<SlackUploadResult> UploadFileAsync(SlackUploadRequest file, CancellationToken ct) =>
        string.IsNullOrEmpty(_slack.BotToken) || http.BaseAddress is null
            ? Task.FromResult(SlackUploadResult.Failed(SlackUploadStep.GetUploadUrl, "not_configured"))
            : new SlackFileUpload(http, http.BaseAddress, _slack.BotToken).UploadAsync(file, ct);

    /// <summary>A message to an interaction's or command's response_url (absolute; no token).</summary>
    public async Task PostToResponseUrlAsync(Uri responseUrl, JsonObject message, CancellationToken ct)
    {
        if (!SlackResponseUrl.IsAllowed(responseUrl, _slack.ApiBaseUrl))
        {
            throw new SlackApiException("untrusted_response_url: only https://hooks.slack.com/ (or the host of PgChatOps:Slack:ApiBaseUrl)");
        }
        var body = message.ToJsonString();
        // response_url answers "ok" as text, or JSON {"ok":false,"error":…} on failure.
        var text = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, responseUrl) { Content = Json(body) }, "response_url", ct);
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

    /// <summary>The answer's body when it is a 2xx; otherwise a <see cref="SlackApiException"/> naming the HTTP failure.</summary>
    private async Task<string> SendAsync(Func<HttpRequestMessage> build, string what, CancellationToken ct)
    {
        var result = await _sender.SendAsync(build, what, ct);
        return result.IsSuccess ? result.Body : throw new SlackApiException(result.Error);
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta
            ?? (header?.Date is { } date ? date - time.GetUtcNow() : (TimeSpan?)null)
            ?? TimeSpan.FromSeconds(1);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
