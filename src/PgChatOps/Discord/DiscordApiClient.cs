using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>
/// Discord's REST API under <c>Discord:ApiBaseUrl</c>: interaction follow-ups (webhooks), channel posts and
/// command registration. Honours 429 (<c>retry_after</c> / <c>Retry-After</c>) and the rate-limit headers, and
/// retries 5xx a bounded number of times. Paths are never logged: webhook paths carry the interaction token.
/// </summary>
public sealed class DiscordApiClient(HttpClient http, DiscordRateLimits limits, IOptions<PgChatOpsOptions> options, TimeProvider time, ILogger<DiscordApiClient> log)
{
    public const string UserAgent = "DiscordBot (https://github.com/pgchatops/pgchatops, 1.0)";
    public const int MaxAttempts = 5;
    private const int MaxServerErrorRetries = 2;

    private readonly DiscordOptions _discord = options.Value.Discord;

    /// <summary>Edits the interaction's first response (after a type 5 or 6): PATCH webhooks/{app}/{token}/messages/@original.</summary>
    public Task<DiscordApiResult> EditOriginalAsync(string applicationId, string token, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Patch, $"webhooks/{Segment(applicationId)}/{Segment(token)}/messages/@original", "webhooks/@original", message.ToJsonString(DiscordRenderer.Json), bot: false, ct);

    /// <summary>Deletes the interaction's first response: DELETE webhooks/{app}/{token}/messages/@original.</summary>
    public Task<DiscordApiResult> DeleteOriginalAsync(string applicationId, string token, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"webhooks/{Segment(applicationId)}/{Segment(token)}/messages/@original", "webhooks/@original/delete", null, bot: false, ct);

    /// <summary>A follow-up message to an interaction: POST webhooks/{app}/{token}.</summary>
    public Task<DiscordApiResult> FollowUpAsync(string applicationId, string token, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"webhooks/{Segment(applicationId)}/{Segment(token)}", "webhooks/followup", message.ToJsonString(DiscordRenderer.Json), bot: false, ct);

    /// <summary>A bot message in a channel: POST channels/{id}/messages.</summary>
    public Task<DiscordApiResult> PostMessageAsync(string channelId, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"channels/{Segment(channelId)}/messages", $"channels/{channelId}/messages", message.ToJsonString(DiscordRenderer.Json), bot: true, ct);

    /// <summary>Bulk-overwrites the global (or one guild's) application commands with a JSON array.</summary>
    public Task<DiscordApiResult> OverwriteCommandsAsync(string applicationId, string? guildId, string commandsJson, CancellationToken ct)
    {
        var path = guildId is null
            ? $"applications/{Segment(applicationId)}/commands"
            : $"applications/{Segment(applicationId)}/guilds/{Segment(guildId)}/commands";
        return SendAsync(HttpMethod.Put, path, path, commandsJson, bot: true, ct);
    }

    private async Task<DiscordApiResult> SendAsync(HttpMethod method, string path, string route, string? json, bool bot, CancellationToken ct)
    {
        var routeKey = method.Method + " " + route;
        var serverErrors = 0;
        DiscordApiResult result = new(null, "", 0);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            await limits.WaitAsync(routeKey, ct);
            using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
            if (bot && _discord.BotToken is { Length: > 0 } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bot", token);
            }
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (HttpRequestException ex) when (attempt < MaxAttempts && serverErrors < MaxServerErrorRetries)
            {
                serverErrors++;
                log.LogWarning("Discord {Route} attempt {Attempt} failed: {Error}", routeKey, attempt, ex.Message);
                await Task.Delay(Backoff(serverErrors), time, ct);
                continue;
            }
            catch (HttpRequestException ex)
            {
                log.LogWarning("Discord {Route} failed: {Error}", routeKey, ex.Message);
                return new DiscordApiResult(null, ex.Message, attempt);
            }

            using (response)
            {
                limits.Observe(routeKey, response.Headers);
                var body = await response.Content.ReadAsStringAsync(ct);
                result = new DiscordApiResult(response.StatusCode, body, attempt);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxAttempts)
                {
                    var (wait, global) = RetryAfter(response, body);
                    if (wait > DiscordRateLimits.MaxWait)
                    {
                        log.LogWarning("Discord {Route} is rate limited for {Seconds:0.#} s: giving up", routeKey, wait.TotalSeconds);
                        return result;
                    }
                    if (global)
                    {
                        limits.HoldAll(wait);
                    }
                    else
                    {
                        limits.Hold(routeKey, wait);
                    }
                    log.LogInformation("Discord {Route} rate limited; retrying in {Seconds:0.###} s", routeKey, wait.TotalSeconds);
                    continue;
                }
                if ((int)response.StatusCode >= 500 && attempt < MaxAttempts && serverErrors < MaxServerErrorRetries)
                {
                    serverErrors++;
                    log.LogWarning("Discord {Route} answered {Status}; retrying", routeKey, (int)response.StatusCode);
                    await Task.Delay(Backoff(serverErrors), time, ct);
                    continue;
                }
                if (!result.IsSuccess)
                {
                    log.LogWarning("Discord {Route} answered {Status}", routeKey, (int)response.StatusCode);
                }
                return result;
            }
        }
        return result;
    }

    private static TimeSpan Backoff(int retry) => TimeSpan.FromMilliseconds(250 * Math.Pow(2, retry - 1));

    /// <summary>The JSON <c>retry_after</c> (float seconds) wins; then the <c>Retry-After</c> header; else one second.</summary>
    internal static (TimeSpan Wait, bool Global) RetryAfter(HttpResponseMessage response, string body)
    {
        TimeSpan? wait = null;
        var global = DiscordRateLimits.Header(response.Headers, "X-RateLimit-Global") is { } g && g.Equals("true", StringComparison.OrdinalIgnoreCase);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("retry_after", out var ra) && ra.ValueKind == JsonValueKind.Number
                    && ra.GetDouble() is >= 0 and < 86400 and var seconds)
                {
                    wait = TimeSpan.FromSeconds(seconds);
                }
                global |= doc.RootElement.TryGetProperty("global", out var gl) && gl.ValueKind == JsonValueKind.True;
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML 429: fall back to the header.
        }
        wait ??= response.Headers.RetryAfter?.Delta ?? DiscordRateLimits.Seconds(DiscordRateLimits.Header(response.Headers, "Retry-After"));
        return (wait ?? TimeSpan.FromSeconds(1), global);
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
