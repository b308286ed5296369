using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// Slack's side of <see cref="IReplyChannel"/>: a reply rendered as Block Kit and delivered through a response_url,
/// chat.postMessage / chat.postEphemeral in a thread, or chat.update; and every outcome to the audit channel.
/// </summary>
public sealed class SlackReplyChannel(SlackApiClient api, IOptions<PgChatOpsOptions> options, ILogger<SlackReplyChannel> log) : IReplyChannel
{
    private readonly SlackOptions _slack = options.Value.Slack;

    /// <summary>A request's response_url when the bot may post to it (<see cref="SlackResponseUrl"/>); otherwise null.</summary>
    public Uri? ResponseUrl(string? value)
    {
        var url = SlackResponseUrl.Read(value, _slack.ApiBaseUrl);
        if (url is null && !string.IsNullOrEmpty(value))
        {
            SlackLog.UntrustedResponseUrl(log, SlackResponseUrl.SlackHooksHost);
        }
        return url;
    }

    /// <summary>The message body for a slash command's answer (inline or through its response_url).</summary>
    public static JsonObject CommandResponse(Reply reply)
    {
        var message = BlockKitRenderer.Render(reply);
        message["response_type"] = reply.Visibility == Visibility.Requester ? "ephemeral" : "in_channel";
        return message;
    }

    /// <summary>The response_url body for a button click's answer.</summary>
    public static JsonObject ClickResponse(Reply reply)
    {
        if (reply.ReplaceOriginal)
        {
            // The outcome takes the confirmation's place: no button of it may stay live.
            var message = BlockKitRenderer.Render(reply with { Buttons = [] });
            message["response_type"] = "in_channel";
            message["replace_original"] = "true";
            return message;
        }
        var other = BlockKitRenderer.Render(reply);
        other["response_type"] = reply.Visibility == Visibility.Requester ? "ephemeral" : "in_channel";
        other["replace_original"] = "false";
        return other;
    }

    /// <summary>The reply's text first; then its files, each shared in the same channel or thread.</summary>
    public async Task<ReplyReceipt> DeliverAsync(Reply reply, ReplyAddress address, CancellationToken ct)
    {
        var receipt = await (address switch
        {
            SlackReplyAddress.CommandResponse a => RespondAsync(a.ResponseUrl, CommandResponse(reply), ct),
            SlackReplyAddress.ClickResponse a => RespondAsync(a.ResponseUrl, ClickResponse(reply), ct),
            SlackReplyAddress.Thread a => PostAsync(a, reply, ct),
            SlackReplyAddress.Update a => UpdateAsync(a, reply, ct),
            _ => throw new ArgumentException($"Slack cannot deliver to {address.GetType().Name}.", nameof(address)),
        });
        if (reply.Files.Count == 0)
        {
            return receipt;
        }
        switch (address)
        {
            case SlackReplyAddress.CommandResponse { Channel: { } channel } a:
                await ShareFilesAsync(reply, channel, null, (note, token) => RespondAsync(a.ResponseUrl, CommandResponse(note), token), ct);
                break;
            case SlackReplyAddress.Thread a:
                await ShareFilesAsync(reply, a.Channel, a.ThreadTs, (note, token) => PostAsync(a, note, token), ct);
                break;
        }
        return receipt;
    }

    /// <summary>
    /// Shares each of the reply's files in <paramref name="channel"/> (in the thread of <paramref name="threadTs"/>,
    /// a parent message's ts), after the reply's text. A file that cannot be shared gets a note through
    /// <paramref name="note"/>: the reply itself is already delivered and stays whole.
    /// </summary>
    public async Task ShareFilesAsync(Reply reply, string channel, string? threadTs, Func<Reply, CancellationToken, Task<ReplyReceipt>> note, CancellationToken ct)
    {
        if (reply.Visibility == Visibility.Requester)
        {
            // A file shared in a channel is seen by everyone there; a private answer keeps its files private.
            await note(Reply.Error($"{Names(reply.Files)} not attached: this answer is for you only, and files in Slack are shared with the whole channel."), ct);
            return;
        }
        foreach (var file in reply.Files)
        {
            var result = await api.UploadFileAsync(new SlackUploadRequest(file.FileName, file.Content, channel, file.Title ?? file.FileName, threadTs), ct);
            if (result.Ok)
            {
                continue;
            }
            SlackLog.FileShareFailed(log, file.FileName, channel, result.Describe());
            await note(new Reply
            {
                Kind = ReplyKind.Error,
                Title = $"{file.FileName} could not be attached",
                Notes =
                [
                    result.Describe(),
                    result.Error is "not_in_channel" or "channel_not_found" or "missing_scope" or "not_allowed_token_type"
                        ? "The message above is complete. Invite the bot to this channel, and make sure the app has the files:write scope (manifests/slack), then ask again."
                        : "The message above is complete. Ask again in a moment to get the file.",
                ],
                Visibility = Visibility.Channel,
            }, ct);
        }
    }

    private static string Names(IReadOnlyList<ReplyFile> files) => string.Join(", ", files.Select(f => f.FileName));

    /// <summary>
    /// An outcome (executed, failed, aborted, expired) is also recorded in the audit channel and as a reply in
    /// the confirmation's thread, so it stays findable after the original message is replaced.
    /// </summary>
    public async Task RecordOutcomeAsync(Reply reply, string? channel, string? threadTs, CancellationToken ct)
    {
        if (reply.Kind != ReplyKind.Outcome)
        {
            return;
        }
        var plain = reply with { Buttons = [] };
        if (!string.IsNullOrWhiteSpace(_slack.AuditChannel))
        {
            await DeliverAsync(plain, new SlackReplyAddress.Thread(_slack.AuditChannel, null, null), ct);
        }
        if (channel is not null && threadTs is not null)
        {
            await DeliverAsync(plain, new SlackReplyAddress.Thread(channel, threadTs, null), ct);
        }
    }

    private async Task<ReplyReceipt> RespondAsync(Uri responseUrl, JsonObject message, CancellationToken ct)
    {
        try
        {
            await api.PostToResponseUrlAsync(responseUrl, message, ct);
            return new ReplyReceipt(true);
        }
        catch (SlackApiException ex)
        {
            SlackLog.ResponseUrlFailed(log, ex.Error);
            return ReplyReceipt.Failed;
        }
    }

    private async Task<ReplyReceipt> PostAsync(SlackReplyAddress.Thread to, Reply reply, CancellationToken ct)
    {
        try
        {
            var message = BlockKitRenderer.Render(reply);
            if (reply.Visibility == Visibility.Requester && to.Requester is { } requester)
            {
                await api.PostEphemeralAsync(to.Channel, requester.Id, message, to.ThreadTs, ct);
                return new ReplyReceipt(true);
            }
            return new ReplyReceipt(true, await api.PostMessageAsync(to.Channel, message, to.ThreadTs, ct));
        }
        catch (SlackApiException ex)
        {
            if (to.Requester is null)
            {
                SlackLog.ChannelPostFailed(log, to.Channel, ex.Error);
            }
            else
            {
                SlackLog.ThreadPostFailed(log, to.Channel, ex.Error);
            }
            return ReplyReceipt.Failed;
        }
    }

    private async Task<ReplyReceipt> UpdateAsync(SlackReplyAddress.Update to, Reply reply, CancellationToken ct)
    {
        var update = BlockKitRenderer.Render(reply with { Buttons = [] });
        update["channel"] = to.Channel;
        update["ts"] = to.Ts;
        try
        {
            await api.CallAsync("chat.update", update, ct);
            return new ReplyReceipt(true, to.Ts);
        }
        catch (SlackApiException ex)
        {
            SlackLog.UpdateFailed(log, to.Channel, ex.Error);
            return ReplyReceipt.Failed;
        }
    }
}
