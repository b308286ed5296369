using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace PgChatOps.Discord;

/// <summary>
/// Multipart bodies that carry files to Discord (PROTOCOLS.md §16.4): a <c>payload_json</c> part with the JSON body,
/// whose <c>attachments</c> list <c>{id: n, filename, description}</c>, and one <c>files[n]</c> part per file with
/// the same filename. For an interaction callback (<c>POST interactions/{id}/{token}/callback</c>) use
/// <see cref="ForInteractionResponse"/>; for a follow-up (<c>POST webhooks/{app}/{token}</c>) or an edit of the
/// deferred original (<c>PATCH webhooks/{app}/{token}/messages/@original</c>) use <see cref="ForWebhookMessage"/>.
/// An embed can show an image file with <see cref="Url"/> as its <c>image.url</c>.
/// </summary>
public static class DiscordAttachment
{
    /// <summary>Discord's default per-file limit; an interaction's <c>attachment_size_limit</c> gives the real one.</summary>
    public const long DefaultSizeLimit = 10 * 1024 * 1024;

    /// <summary>Commonly 10; not in Discord's docs (⚠ unverified), so stay within it.</summary>
    public const int MaxFiles = 10;

    public const int MaxDescription = 1024;

    /// <summary>A CHANNEL_MESSAGE_WITH_SOURCE response (type 4) with files: <c>{"type":4,"data":{…,"attachments":[…]}}</c>.</summary>
    public static MultipartFormDataContent ForInteractionResponse(JsonObject data, IReadOnlyList<DiscordFile> files, long sizeLimit = DefaultSizeLimit)
    {
        var payload = new JsonObject { ["type"] = DiscordResponseType.ChannelMessageWithSource, ["data"] = WithAttachments(data, files) };
        return Multipart(payload, files, sizeLimit);
    }

    /// <summary>A webhook message body (follow-up or edit) with files: <c>{…,"attachments":[…]}</c>.</summary>
    public static MultipartFormDataContent ForWebhookMessage(JsonObject message, IReadOnlyList<DiscordFile> files, long sizeLimit = DefaultSizeLimit) =>
        Multipart(WithAttachments(message, files), files, sizeLimit);

    /// <summary>How an embed refers to an attached image: <c>attachment://chart.png</c>.</summary>
    public static string Url(DiscordFile file) => "attachment://" + file.FileName;

    /// <summary>
    /// A copy of <paramref name="message"/> whose <c>attachments</c> list the files, ids 0…n-1 matching
    /// <c>files[n]</c>. On an edit this list is every file the message keeps: files not listed are removed.
    /// </summary>
    public static JsonObject WithAttachments(JsonObject message, IReadOnlyList<DiscordFile> files)
    {
        var copy = (JsonObject)message.DeepClone();
        var attachments = new JsonArray();
        for (var i = 0; i < files.Count; i++)
        {
            var attachment = new JsonObject { ["id"] = i, ["filename"] = files[i].FileName };
            if (files[i].Description is { Length: > 0 } description)
            {
                attachment["description"] = description.Length <= MaxDescription ? description : description[..(MaxDescription - 1)] + "…";
            }
            attachments.Add(attachment);
        }
        copy["attachments"] = attachments;
        return copy;
    }

    private static MultipartFormDataContent Multipart(JsonObject payload, IReadOnlyList<DiscordFile> files, long sizeLimit)
    {
        ArgumentOutOfRangeException.ThrowIfZero(files.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(files.Count, MaxFiles);
        foreach (var file in files)
        {
            if (file.Content.Length > sizeLimit)
            {
                throw new ArgumentException($"{file.FileName} is {file.Content.Length} bytes; Discord takes at most {sizeLimit} here.", nameof(files));
            }
            if (!IsSafeFileName(file.FileName))
            {
                // attachment:// references and the part's filename must agree; keep both plain.
                throw new ArgumentException($"'{file.FileName}' is not a plain file name (letters, digits, . - _).", nameof(files));
            }
        }

        var body = new MultipartFormDataContent();
        var json = new StringContent(payload.ToJsonString(), Encoding.UTF8);
        json.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        body.Add(json, "payload_json");
        for (var i = 0; i < files.Count; i++)
        {
            var part = new ReadOnlyMemoryContent(files[i].Content);
            part.Headers.ContentType = new MediaTypeHeaderValue(files[i].ContentType);
            body.Add(part, $"files[{i}]", files[i].FileName);
        }
        return body;
    }

    private static bool IsSafeFileName(string name) =>
        name.Length is > 0 and <= 200 && !name.StartsWith('.') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
