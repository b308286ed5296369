using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgChatOps.Slack;

/// <summary>
/// Shares a file in a Slack channel with the external upload (PROTOCOLS.md §16.1):
/// <c>files.getUploadURLExternal</c> (filename, length) → POST the bytes to the returned <c>upload_url</c> →
/// <c>files.completeUploadExternal</c> (files=[{id,title}], channel_id, thread_ts, initial_comment). Both API calls
/// are form-encoded with the bot token as a Bearer header; the upload URL gets no token. Never throws for a Slack or
/// HTTP failure: the result says which step failed and why. <paramref name="apiBaseUrl"/> is
/// <c>PgChatOps:Slack:ApiBaseUrl</c>.
/// </summary>
public sealed class SlackFileUpload(HttpClient http, Uri apiBaseUrl, string botToken)
{
    public async Task<SlackUploadResult> UploadAsync(SlackUploadRequest file, CancellationToken ct)
    {
        if (file.Content.Length == 0)
        {
            // Slack answers missing_argument for length=0; say what is actually wrong.
            return SlackUploadResult.Failed(SlackUploadStep.GetUploadUrl, "empty_file");
        }

        var (ticket, error) = await CallAsync("files.getUploadURLExternal", new Dictionary<string, string>
        {
            ["filename"] = file.FileName,
            ["length"] = file.Content.Length.ToString(CultureInfo.InvariantCulture),
        }, ct);
        if (ticket is null)
        {
            return SlackUploadResult.Failed(SlackUploadStep.GetUploadUrl, error!);
        }
        var fileId = ticket["file_id"]?.GetValueKind() == JsonValueKind.String ? ticket["file_id"]!.GetValue<string>() : null;
        var uploadUrl = ticket["upload_url"]?.GetValueKind() == JsonValueKind.String ? ticket["upload_url"]!.GetValue<string>() : null;
        if (fileId is null || !Uri.TryCreate(uploadUrl, UriKind.Absolute, out var target) || !IsAllowedUploadUrl(target))
        {
            return SlackUploadResult.Failed(SlackUploadStep.GetUploadUrl, "invalid_response", fileId);
        }

        var uploaded = await PostBytesAsync(target, file.Content, ct);
        if (uploaded is not null)
        {
            return SlackUploadResult.Failed(SlackUploadStep.UploadBytes, uploaded, fileId);
        }

        var complete = new Dictionary<string, string>
        {
            ["files"] = new JsonArray(new JsonObject { ["id"] = fileId, ["title"] = file.Title ?? file.FileName }).ToJsonString(),
            ["channel_id"] = file.ChannelId,
        };
        if (file.ThreadTs is { Length: > 0 } thread)
        {
            complete["thread_ts"] = thread;
        }
        if (file.InitialComment is { Length: > 0 } comment)
        {
            complete["initial_comment"] = comment;
        }
        var (done, completeError) = await CallAsync("files.completeUploadExternal", complete, ct);
        return done is null
            ? SlackUploadResult.Failed(SlackUploadStep.Complete, completeError!, fileId)
            : SlackUploadResult.Shared(fileId);
    }

    private async Task<(JsonObject? Answer, string? Error)> CallAsync(string method, Dictionary<string, string> form, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Base(), method)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", botToken);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return (null, HttpError(response));
            }
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject;
            if (answer is null)
            {
                return (null, "invalid_response");
            }
            return answer["ok"]?.GetValueKind() == JsonValueKind.True
                ? (answer, null)
                : (null, answer["error"]?.GetValueKind() == JsonValueKind.String ? answer["error"]!.GetValue<string>() : "unknown_error");
        }
        catch (JsonException)
        {
            return (null, "invalid_response");
        }
        catch (HttpRequestException)
        {
            return (null, "http_unreachable");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "http_timeout");
        }
    }

    /// <summary>Raw bytes; Slack answers 200 on success and anything else on failure. Returns the error, or null.</summary>
    private async Task<string?> PostBytesAsync(Uri uploadUrl, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uploadUrl) { Content = new ReadOnlyMemoryContent(content) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.StatusCode == System.Net.HttpStatusCode.OK ? null : HttpError(response);
        }
        catch (HttpRequestException)
        {
            return "http_unreachable";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return "http_timeout";
        }
    }

    // The bytes (session data) go where Slack's answer says, but only to Slack (https, a slack.com host) or to the
    // configured API host (tests): never to some other host, and never in clear text elsewhere.
    private bool IsAllowedUploadUrl(Uri url) =>
        string.Equals(url.Authority, apiBaseUrl.Authority, StringComparison.OrdinalIgnoreCase)
        || (url.Scheme == Uri.UriSchemeHttps
            && (url.Host.Equals("slack.com", StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith(".slack.com", StringComparison.OrdinalIgnoreCase)));

    private static string HttpError(HttpResponseMessage response) =>
        (int)response.StatusCode == 429 ? "ratelimited" : "http_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);

    private Uri Base() => apiBaseUrl.AbsoluteUri.EndsWith('/') ? apiBaseUrl : new Uri(apiBaseUrl.AbsoluteUri + "/");
}
