using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PgChatOps.Slack;

namespace PgChatOps.IntegrationTests.Slack;

/// <summary>Sends requests to the app's Slack endpoints signed exactly as Slack signs them.</summary>
internal sealed class SlackClient(HttpClient http, string signingSecret, Func<DateTimeOffset>? now = null)
{
    public const string Team = "T0TEST";

    /// <param name="team">The workspace the command comes from (default <see cref="Team"/>).</param>
    /// <param name="channelName">Slack sends <c>directmessage</c> for a DM (default <c>ops</c>).</param>
    public Task<HttpResponseMessage> CommandAsync(string channel, string user, string text, string responseUrl, string? userName = null, string? team = null, string? channelName = null, string? triggerId = null) =>
        SendFormAsync("/slack/commands", new Dictionary<string, string>
        {
            ["token"] = "deprecated",
            ["team_id"] = team ?? Team,
            ["team_domain"] = "test",
            ["channel_id"] = channel,
            ["channel_name"] = channelName ?? "ops",
            ["user_id"] = user,
            ["user_name"] = userName ?? user.ToLowerInvariant(),
            ["command"] = "/pg",
            // Slack escapes these three in slash command text.
            ["text"] = text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal),
            ["response_url"] = responseUrl,
            ["trigger_id"] = triggerId ?? NewTriggerId(),
            ["api_app_id"] = "A0TEST",
        });

    /// <summary>A trigger_id shaped like Slack's; Slack gives every invocation its own.</summary>
    public static string NewTriggerId() =>
        $"{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}.{Random.Shared.NextInt64(100_000_000, 999_999_999)}.{Guid.NewGuid():N}";

    public Task<HttpResponseMessage> ClickAsync(string channel, string user, string actionId, Guid id, string responseUrl, string messageTs, string? team = null, string? triggerId = null) =>
        ClickAsync(channel, user, actionId, id.ToString(), responseUrl, messageTs, team, triggerId);

    /// <summary>A click on a button whose value is any text (the whole-list button carries a command).</summary>
    public Task<HttpResponseMessage> ClickAsync(string channel, string user, string actionId, string value, string responseUrl, string messageTs, string? team = null, string? triggerId = null) =>
        SendFormAsync("/slack/interactions", new Dictionary<string, string>
        {
            ["payload"] = new JsonObject
            {
                ["type"] = "block_actions",
                ["team"] = new JsonObject { ["id"] = team ?? Team, ["domain"] = "test" },
                ["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["team_id"] = team ?? Team },
                ["api_app_id"] = "A0TEST",
                ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channel, ["is_ephemeral"] = false },
                ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "ops" },
                ["message"] = new JsonObject { ["type"] = "message", ["ts"] = messageTs, ["text"] = "confirmation" },
                ["response_url"] = responseUrl,
                ["trigger_id"] = triggerId ?? NewTriggerId(),
                ["actions"] = new JsonArray(new JsonObject
                {
                    ["action_id"] = actionId,
                    ["block_id"] = "b1",
                    ["value"] = value,
                    ["type"] = "button",
                    ["action_ts"] = "1700000001.000200",
                }),
            }.ToJsonString(),
        });

    public Task<HttpResponseMessage> MentionAsync(string channel, string user, string text, string ts, string? threadTs = null, string? eventId = null)
    {
        var ev = new JsonObject
        {
            ["type"] = "app_mention",
            ["user"] = user,
            ["text"] = "<@UBOT> " + text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal),
            ["ts"] = ts,
            ["channel"] = channel,
            ["event_ts"] = ts,
        };
        if (threadTs is not null)
        {
            ev["thread_ts"] = threadTs;
        }
        return SendJsonAsync("/slack/events", new JsonObject
        {
            ["token"] = "deprecated",
            ["team_id"] = Team,
            ["api_app_id"] = "A0TEST",
            ["event"] = ev,
            ["type"] = "event_callback",
            ["event_id"] = eventId ?? "Ev" + Guid.NewGuid().ToString("N"),
            ["event_time"] = 1700000000,
            ["authorizations"] = new JsonArray(new JsonObject { ["team_id"] = Team, ["user_id"] = "UBOT", ["is_bot"] = true }),
        });
    }

    public Task<HttpResponseMessage> SendFormAsync(string path, IReadOnlyDictionary<string, string> fields) =>
        SendAsync(path, string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value))), "application/x-www-form-urlencoded");

    public Task<HttpResponseMessage> SendJsonAsync(string path, JsonObject body) => SendAsync(path, body.ToJsonString(), "application/json");

    public async Task<HttpResponseMessage> SendAsync(string path, string body, string contentType, string? signatureOverride = null, long? timestampOverride = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = (timestampOverride ?? (now?.Invoke() ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } },
        };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signatureOverride ?? SlackSignatureVerifier.Sign(signingSecret, timestamp, bytes));
        return await http.SendAsync(request);
    }
}
