using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// Where a reply goes in Slack and in which form: inline or through response_url for commands and clicks,
/// chat.postMessage / chat.postEphemeral in a thread for mentions, and every outcome to the audit channel.
/// </summary>
public sealed class SlackDelivery(SlackApiClient api, IOptions<PgChatOpsOptions> options, ILogger<SlackDelivery> log)
{
    private readonly SlackOptions _slack = options.Value.Slack;

    /// <summary>A request's response_url when the bot may post to it (<see cref="SlackResponseUrl"/>); otherwise null.</summary>
    public Uri? ResponseUrl(string? value)
    {
        var url = SlackResponseUrl.Read(value, _slack.ApiBaseUrl);
        if (url is null && !string.IsNullOrEmpty(value))
        {
            log.LogWarning("Ignored a response_url that is not on {Host}: nothing is posted to it.", SlackResponseUrl.SlackHooksHost);
        }
        return url;
    }

    /// <summary>The message body for a slash command's answer (inline or through its response_url).</summary>
    public static JsonObject CommandResponse(Reply reply, ChatUser requester)
    {
        var message = BlockKitRenderer.Render(reply);
        message["response_type"] = reply.Visibility == Visibility.Requester ? "ephemeral" : "in_channel";
        return message;
    }

    /// <summary>The response_url body for a button click's answer.</summary>
    public static JsonObject ClickResponse(Reply reply, ChatUser clicker)
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

    public async Task RespondAsync(Uri responseUrl, JsonObject message, CancellationToken ct)
    {
        try
        {
            await api.PostToResponseUrlAsync(responseUrl, message, ct);
        }
        catch (SlackApiException ex)
        {
            log.LogWarning("Could not answer through response_url: {Error}", ex.Error);
        }
    }

    /// <summary>An answer to a mention: in its thread, ephemeral to the requester when the reply is for them only.</summary>
    public async Task<string?> PostInThreadAsync(string channel, string threadTs, Reply reply, ChatUser requester, CancellationToken ct)
    {
        try
        {
            var message = BlockKitRenderer.Render(reply);
            if (reply.Visibility == Visibility.Requester)
            {
                await api.PostEphemeralAsync(channel, requester.Id, message, threadTs, ct);
                return null;
            }
            return await api.PostMessageAsync(channel, message, threadTs, ct);
        }
        catch (SlackApiException ex)
        {
            log.LogWarning("Could not post a reply in channel {Channel}: {Error}", channel, ex.Error);
            return null;
        }
    }

    /// <summary>
    /// An outcome (executed, failed, aborted, expired) is also recorded in the audit channel and as a reply in
    /// the confirmation's thread, so it stays findable after the original message is replaced.
    /// </summary>
    public async Task RecordOutcomeAsync(Reply reply, string? channel, string? threadTs, ChatUser? user, CancellationToken ct)
    {
        if (reply.Kind != ReplyKind.Outcome)
        {
            return;
        }
        var plain = reply with { Buttons = [] };
        if (!string.IsNullOrWhiteSpace(_slack.AuditChannel))
        {
            await TryPostAsync(_slack.AuditChannel, null, BlockKitRenderer.Render(plain), ct);
        }
        if (channel is not null && threadTs is not null)
        {
            await TryPostAsync(channel, threadTs, BlockKitRenderer.Render(plain), ct);
        }
    }

    private async Task TryPostAsync(string channel, string? threadTs, JsonObject message, CancellationToken ct)
    {
        try
        {
            await api.PostMessageAsync(channel, message, threadTs, ct);
        }
        catch (SlackApiException ex)
        {
            log.LogWarning("Could not post to Slack channel {Channel}: {Error}", channel, ex.Error);
        }
    }
}
