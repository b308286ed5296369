using Microsoft.Extensions.Options;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>Every outcome (executed, failed, aborted, expired) is also posted to <c>Discord:AuditChannel</c>, if one is set.</summary>
public sealed class DiscordAuditChannel(DiscordApiClient api, DetachedWork background, IOptions<PgChatOpsOptions> options, ILogger<DiscordAuditChannel> log)
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
        background.Run("audit channel post", async ct =>
        {
            var result = await api.PostMessageAsync(channel, DiscordRenderer.RenderForEdit(record), ct);
            if (!result.IsSuccess)
            {
                log.LogWarning("Could not post an action's outcome to the Discord audit channel: {Result}", result);
            }
        });
    }
}
