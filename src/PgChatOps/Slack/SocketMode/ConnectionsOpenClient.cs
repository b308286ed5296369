using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// <c>POST {ApiBaseUrl}apps.connections.open</c> with the app token as a Bearer header (never in the body: Slack
/// rejects that). Never throws for Slack's answers; the transport decides what each one means.
/// </summary>
internal sealed class ConnectionsOpenClient(HttpClient http, SocketModeSettings settings)
{
    public const string Method = "apps.connections.open";

    public async Task<ConnectionsOpenResult> OpenAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.ApiBaseUrl, Method));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.AppToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.ConnectTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Unreachable, timed out, or refused by a resilience handler the client may carry: all retried with backoff.
            return ConnectionsOpenResult.Failed(ex is OperationCanceledException ? "http_timeout" : "http_unreachable (" + ex.GetType().Name + ")");
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return ConnectionsOpenResult.RateLimited(RetryAfter(response));
            }
            if (!response.IsSuccessStatusCode)
            {
                return ConnectionsOpenResult.Failed("http_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return ConnectionsOpenResult.Failed("http_unreachable");
            }
            return Parse(text, settings.ApiBaseUrl);
        }
    }

    internal static ConnectionsOpenResult Parse(string text, Uri apiBaseUrl)
    {
        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return ConnectionsOpenResult.Failed("invalid_response");
        }
        if (answer is null)
        {
            return ConnectionsOpenResult.Failed("invalid_response");
        }
        if (answer["ok"]?.GetValueKind() != JsonValueKind.True)
        {
            var error = answer["error"]?.GetValueKind() == JsonValueKind.String ? answer["error"]!.GetValue<string>() : "unknown_error";
            return ConnectionsOpenResult.Refused(error);
        }
        var url = answer["url"]?.GetValueKind() == JsonValueKind.String ? answer["url"]!.GetValue<string>() : null;
        // The URL is used exactly as given; anything but a secure WebSocket URL is an invalid answer (plain ws:// only
        // when the API itself is plain http://, i.e. a local fake in tests): envelopes are not signed, TLS is their proof.
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == "wss" || (uri.Scheme == "ws" && apiBaseUrl.Scheme == Uri.UriSchemeHttp))
            ? ConnectionsOpenResult.Opened(uri)
            : ConnectionsOpenResult.Failed("invalid_response");
    }

    private TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta
            ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : (TimeSpan?)null)
            ?? settings.ReconnectInitialDelay;
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }
        return wait > settings.MaxRetryAfter ? settings.MaxRetryAfter : wait;
    }
}
