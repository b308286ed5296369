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
/// command registration. Requests go through <see cref="ApiSender"/>: 429 after <c>retry_after</c> /
/// <c>Retry-After</c> with the buckets of <see cref="DiscordRateLimits"/>, 503 retried; other transient failures are
/// the resilience handler's, which repeats only idempotent requests (PATCH, DELETE, PUT). Paths are never logged:
/// webhook paths carry the interaction token.
/// </summary>
public sealed class DiscordApiClient(HttpClient http, DiscordRateLimits limits, IOptions<PgChatOpsOptions> options, TimeProvider time, ILogger<DiscordApiClient> log)
{
    public const string UserAgent = "DiscordBot (https://github.com/pgchatops/pgchatops, 1.0)";
    public const int MaxAttempts = 5;

    private readonly DiscordOptions _discord = options.Value.Discord;

    private readonly ApiSender _sender = new(http, new ApiRetryRules
    {
        Platform = "Discord",
        RetryAfter = RetryAfter,
        MaxRateLimitRetries = MaxAttempts - 1,
        MaxRetryAfter = DiscordRateLimits.MaxWait,
        GiveUpBeyondMaxRetryAfter = true,
    }, time, log, limits);

    /// <summary>
    /// The first response to an interaction that came over the Gateway (Discord wants it over HTTP within 3 seconds):
    /// POST interactions/{id}/{token}/callback with what the HTTP endpoint would have returned inline.
    /// </summary>
    public Task<ApiResult> RespondToInteractionAsync(string interactionId, string token, JsonObject response, CancellationToken ct) =>
        // The docs do not say whether callbacks need the bot's credentials; sending them is harmless.
        SendAsync(HttpMethod.Post, $"interactions/{Segment(interactionId)}/{Segment(token)}/callback", "interactions/callback", response.ToJsonString(DiscordRenderer.Json), bot: true, ct);

    /// <summary>Edits the interaction's first response (after a type 5 or 6): PATCH webhooks/{app}/{token}/messages/@original.</summary>
    public Task<ApiResult> EditOriginalAsync(string applicationId, string token, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Patch, $"webhooks/{Segment(applicationId)}/{Segment(token)}/messages/@original", "webhooks/@original", message.ToJsonString(DiscordRenderer.Json), bot: false, ct);

    /// <summary>Deletes the interaction's first response: DELETE webhooks/{app}/{token}/messages/@original.</summary>
    public Task<ApiResult> DeleteOriginalAsync(string applicationId, string token, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"webhooks/{Segment(applicationId)}/{Segment(token)}/messages/@original", "webhooks/@original/delete", null, bot: false, ct);

    /// <summary>A follow-up message to an interaction: POST webhooks/{app}/{token}.</summary>
    public Task<ApiResult> FollowUpAsync(string applicationId, string token, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"webhooks/{Segment(applicationId)}/{Segment(token)}", "webhooks/followup", message.ToJsonString(DiscordRenderer.Json), bot: false, ct);

    /// <summary>
    /// A follow-up that carries files: POST webhooks/{app}/{token} as multipart/form-data, the message in
    /// <c>payload_json</c> and each file as <c>files[n]</c> (<see cref="DiscordAttachment"/>).
    /// </summary>
    public Task<ApiResult> FollowUpWithFilesAsync(string applicationId, string token, JsonObject message, IReadOnlyList<DiscordFile> files, CancellationToken ct) =>
        _sender.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"webhooks/{Segment(applicationId)}/{Segment(token)}")
            {
                Content = DiscordAttachment.ForWebhookMessage(message, files),
            },
            "POST webhooks/followup", ct);

    /// <summary>A bot message in a channel: POST channels/{id}/messages.</summary>
    public Task<ApiResult> PostMessageAsync(string channelId, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"channels/{Segment(channelId)}/messages", $"channels/{channelId}/messages", message.ToJsonString(DiscordRenderer.Json), bot: true, ct);

    /// <summary>Edits a bot message in a channel: PATCH channels/{id}/messages/{message id}.</summary>
    public Task<ApiResult> EditMessageAsync(string channelId, string messageId, JsonObject message, CancellationToken ct) =>
        SendAsync(HttpMethod.Patch, $"channels/{Segment(channelId)}/messages/{Segment(messageId)}", $"channels/{channelId}/messages/edit", message.ToJsonString(DiscordRenderer.Json), bot: true, ct);

    /// <summary>Bulk-overwrites the global (or one guild's) application commands with a JSON array.</summary>
    public Task<ApiResult> OverwriteCommandsAsync(string applicationId, string? guildId, string commandsJson, CancellationToken ct)
    {
        var path = guildId is null
            ? $"applications/{Segment(applicationId)}/commands"
            : $"applications/{Segment(applicationId)}/guilds/{Segment(guildId)}/commands";
        return SendAsync(HttpMethod.Put, path, path, commandsJson, bot: true, ct);
    }

    private Task<ApiResult> SendAsync(HttpMethod method, string path, string route, string? json, bool bot, CancellationToken ct) =>
        _sender.SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
            if (bot && _discord.BotToken is { Length: > 0 } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bot", token);
            }
            return request;
        }, method.Method + " " + route, ct);

    /// <summary>The JSON <c>retry_after</c> (float seconds) wins; then the <c>Retry-After</c> header; else one second.</summary>
    internal static RateLimitWait RetryAfter(HttpResponseMessage response, string body)
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
        return new RateLimitWait(wait ?? TimeSpan.FromSeconds(1), global);
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
