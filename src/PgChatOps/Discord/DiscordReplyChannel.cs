using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>
/// Discord's side of <see cref="IReplyChannel"/>: a reply rendered as content, embeds and components and delivered
/// through the interaction webhook (edit <c>@original</c>, follow-up) or as a bot message in a channel.
/// </summary>
public sealed class DiscordReplyChannel(DiscordApiClient api, ILogger<DiscordReplyChannel> log) : IReplyChannel
{
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
        return new ReplyReceipt(true);
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
