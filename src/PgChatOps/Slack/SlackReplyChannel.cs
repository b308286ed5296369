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

    public Task<ReplyReceipt> DeliverAsync(Reply reply, ReplyAddress address, CancellationToken ct) => address switch
    {
        SlackReplyAddress.CommandResponse a => RespondAsync(a.ResponseUrl, CommandResponse(reply), ct),
        SlackReplyAddress.ClickResponse a => RespondAsync(a.ResponseUrl, ClickResponse(reply), ct),
        SlackReplyAddress.Thread a => PostAsync(a, reply, ct),
        SlackReplyAddress.Update a => UpdateAsync(a, reply, ct),
        _ => throw new ArgumentException($"Slack cannot deliver to {address.GetType().Name}.", nameof(address)),
    };

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
