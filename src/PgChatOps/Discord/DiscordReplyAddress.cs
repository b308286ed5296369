using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>The places <see cref="DiscordReplyChannel"/> delivers to.</summary>
public abstract record DiscordReplyAddress : ReplyAddress
{
    /// <summary>
    /// Completes a deferred command (type 5). Its visibility was fixed by the defer, so a reply for the requester
    /// only replaces the public "thinking" message with an ephemeral follow-up; anything else edits <c>@original</c>.
    /// </summary>
    public sealed record DeferredCommand(string ApplicationId, string Token) : DiscordReplyAddress;

    /// <summary>Completes a deferred click (type 6): an outcome edits <c>@original</c>, anything else is a follow-up.</summary>
    public sealed record DeferredClick(string ApplicationId, string Token) : DiscordReplyAddress;

    /// <summary>Replaces the interaction's first message (<c>@original</c>), without buttons.</summary>
    public sealed record Original(string ApplicationId, string Token) : DiscordReplyAddress;

    /// <summary>A bot message in a channel, without buttons.</summary>
    public sealed record Channel(string ChannelId) : DiscordReplyAddress;
}
