using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// The first answer to an interaction that came over the Gateway: Discord wants it over HTTP,
/// <c>POST {ApiBaseUrl}interactions/{id}/{token}/callback</c>, within 3 seconds (PROTOCOLS.md §15.7). The body is
/// what the HTTP endpoint would have returned inline (e.g. <c>{"type":4,"data":{…}}</c> or <c>{"type":5}</c>).
/// Follow-ups and edits use the interaction webhook as over HTTP. The path carries the interaction token, so it is never logged.
/// </summary>
internal sealed class DiscordInteractionCallback(HttpClient http, Uri apiBaseUrl, string botToken, ILogger<DiscordInteractionCallback> log)
{
    /// <summary>Posts <paramref name="responseJson"/> as the interaction's response; Discord answers 204.</summary>
    public async Task<HttpStatusCode> RespondAsync(JsonElement interaction, string responseJson, CancellationToken ct)
    {
        var id = interaction.GetProperty("id").GetString();
        var token = interaction.GetProperty("token").GetString();
        var path = $"interactions/{Uri.EscapeDataString(id ?? "")}/{Uri.EscapeDataString(token ?? "")}/callback";
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiUrl(apiBaseUrl, path))
        {
            Content = new StringContent(responseJson, Encoding.UTF8, "application/json"),
        };
        // The docs do not say whether callbacks need it; sending the bot's own credentials is harmless.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bot", botToken);
        request.Headers.TryAddWithoutValidation("User-Agent", DiscordApiClient.UserAgent);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            log.CallbackFailed((int)response.StatusCode);
        }
        return response.StatusCode;
    }

    /// <summary><paramref name="relative"/> under the API base, whether or not the base ends with a slash.</summary>
    public static Uri ApiUrl(Uri apiBaseUrl, string relative) =>
        new(apiBaseUrl.AbsoluteUri.EndsWith('/') ? apiBaseUrl : new Uri(apiBaseUrl.AbsoluteUri + "/"), relative);
}
