using System.Text.Json.Nodes;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>
/// Discord's side of <see cref="IReplyChannel"/>: a reply rendered as content, embeds and components and delivered
/// through the interaction webhook (edit <c>@original</c>, follow-up) or as a bot message in a channel.
/// </summary>
public sealed class DiscordReplyChannel(DiscordApiClient api, TimeProvider time, ILogger<DiscordReplyChannel> log) : IReplyChannel
{
    /// <summary>A follow-up sent just after an inline answer can reach Discord first; such a 404 is worth a few retries.</summary>
    private static readonly TimeSpan[] NotYetAcknowledged = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(750), TimeSpan.FromSeconds(2)];

    public async Task<ReplyReceipt> DeliverAsync(Reply reply, ReplyAddress address, CancellationToken ct)
    {
        var result = address switch
        {
            DiscordReplyAddress.DeferredCommand a => await CompleteCommandAsync(a, reply, ct),
            DiscordReplyAddress.DeferredClick a => reply.ReplaceOriginal
                ? await api.EditOriginalAsync(a.ApplicationId, a.Token, DiscordRenderer.RenderForEdit(reply), ct)
                : await api.FollowUpAsync(a.ApplicationId, a.Token, DiscordRenderer.Render(reply), ct),
            DiscordReplyAddress.Original a => await api.EditOriginalAsync(a.ApplicationId, a.Token, DiscordRenderer.RenderForEdit(reply with { Buttons = [] }), ct),
            DiscordReplyAddress.Channel a => await api.PostMessageAsync(a.ChannelId, DiscordRenderer.RenderForEdit(reply with { Buttons = [] }), ct),
            _ => throw new ArgumentException($"Discord cannot deliver to {address.GetType().Name}.", nameof(address)),
        };
        if (!result.IsSuccess)
        {
            // The address type only: webhook addresses hold the interaction token.
            DiscordLog.DeliveryFailed(log, address.GetType().Name, result);
            return ReplyReceipt.Failed;
        }
        if (reply.Files.Count > 0 && address is DiscordReplyAddress.DeferredCommand command)
        {
            await ShareFilesAsync(reply, command.ApplicationId, command.Token, ct);
        }
        return new ReplyReceipt(true);
    }

    /// <summary>
    /// The reply's files as one follow-up to the interaction, a multipart attachment, after the reply's text. A file
    /// too large for Discord, or a follow-up Discord refuses, gets a note instead: the reply itself stays whole.
    /// </summary>
    public async Task ShareFilesAsync(Reply reply, string applicationId, string token, CancellationToken ct)
    {
        var files = new List<DiscordFile>();
        var problems = new List<string>();
        foreach (var file in reply.Files)
        {
            if (file.Length == 0 || file.Length > DiscordAttachment.DefaultSizeLimit)
            {
                problems.Add($"{file.FileName} is {file.Length:N0} bytes; Discord takes files of 1 byte to {DiscordAttachment.DefaultSizeLimit:N0} bytes here.");
            }
            else if (files.Count == DiscordAttachment.MaxFiles)
            {
                problems.Add($"{file.FileName}: Discord takes at most {DiscordAttachment.MaxFiles} files a message.");
            }
            else
            {
                files.Add(new DiscordFile(file.FileName, file.Content, file.ContentType, file.Title));
            }
        }
        if (files.Count > 0)
        {
            var message = new JsonObject
            {
                ["content"] = DiscordRenderer.FitMarkdown(string.Join("\n", reply.Files.Where(f => files.Any(d => d.FileName == f.FileName)).Select(f => $"📎 {f.Title ?? f.FileName}")), DiscordLimits.Content),
                ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
            };
            if (reply.Visibility == Visibility.Requester)
            {
                message["flags"] = DiscordLimits.EphemeralFlag;
            }
            ApiResult result;
            try
            {
                result = await SendFilesAsync(applicationId, token, message, files, ct);
            }
            catch (ArgumentException ex)
            {
                // A file name Discord could not refer back to: say so rather than lose the note.
                result = new ApiResult(null, ex.Message, 0, "not_attachable");
            }
            if (!result.IsSuccess)
            {
                DiscordLog.FileAttachFailed(log, string.Join(", ", files.Select(f => f.FileName)), result.ToString());
                problems.Add($"Discord refused the {(files.Count == 1 ? "file" : "files")} {string.Join(", ", files.Select(f => f.FileName))}: {result}.");
            }
        }
        if (problems.Count > 0)
        {
            var note = new Reply
            {
                Kind = ReplyKind.Error,
                Title = "Not every file could be attached",
                Notes = [.. problems, "The message above is complete. Ask again in a moment to get the file."],
                Visibility = reply.Visibility,
            };
            var sent = await api.FollowUpAsync(applicationId, token, DiscordRenderer.Render(note), ct);
            if (!sent.IsSuccess)
            {
                DiscordLog.DeliveryFailed(log, "file note", sent);
            }
        }
    }

    private async Task<ApiResult> SendFilesAsync(string applicationId, string token, JsonObject message, IReadOnlyList<DiscordFile> files, CancellationToken ct)
    {
        var result = await api.FollowUpWithFilesAsync(applicationId, token, message, files, ct);
        foreach (var wait in NotYetAcknowledged)
        {
            if (result.Status != System.Net.HttpStatusCode.NotFound)
            {
                break;
            }
            await Task.Delay(wait, time, ct);
            result = await api.FollowUpWithFilesAsync(applicationId, token, message, files, ct);
        }
        return result;
    }

    private async Task<ApiResult> CompleteCommandAsync(DiscordReplyAddress.DeferredCommand to, Reply reply, CancellationToken ct)
    {
        if (reply.Visibility != Visibility.Requester)
        {
            return await api.EditOriginalAsync(to.ApplicationId, to.Token, DiscordRenderer.RenderForEdit(reply), ct);
        }
        var deleted = await api.DeleteOriginalAsync(to.ApplicationId, to.Token, ct);
        if (!deleted.IsSuccess)
        {
            DiscordLog.DeleteOriginalFailed(log, deleted);
        }
        return await api.FollowUpAsync(to.ApplicationId, to.Token, DiscordRenderer.Render(reply), ct);
    }
}
