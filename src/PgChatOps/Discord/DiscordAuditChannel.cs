using Microsoft.Extensions.Options;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>Every outcome (executed, failed, aborted, expired) is also posted to <c>Discord:AuditChannel</c>, if one is set.</summary>
public sealed class DiscordAuditChannel(DiscordReplyChannel replies, DetachedWork background, IOptions<PgChatOpsOptions> options)
{
    private readonly DiscordOptions _discord = options.Value.Discord;

    /// <param name="sourceChannel">The channel the action was requested in, named in the record.</param>
    public void Post(Reply reply, string sourceChannel)
    {
        if (reply.Kind != ReplyKind.Outcome || _discord.AuditChannel is not { Length: > 0 } channel)
        {
            return;
        }
        var record = reply with { Buttons = [], Notes = [.. reply.Notes, $"In <#{sourceChannel}>."] };
        background.Run("audit channel post", ct => replies.DeliverAsync(record, new DiscordReplyAddress.Channel(channel), ct));
    }
}
