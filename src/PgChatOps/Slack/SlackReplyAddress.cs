using PgChatOps.Commands;
using PgChatOps.Hosting;

namespace PgChatOps.Slack;

/// <summary>The places <see cref="SlackReplyChannel"/> delivers to.</summary>
public abstract record SlackReplyAddress : ReplyAddress
{
    /// <summary>
    /// A slash command's answer through its response_url (ephemeral when the reply is for the requester only). The
    /// reply's files go to <paramref name="Channel"/> with the bot token: a response_url cannot carry files.
    /// </summary>
    public sealed record CommandResponse(Uri ResponseUrl, string? Channel = null) : SlackReplyAddress;

    /// <summary>A click's answer through its response_url: an outcome replaces the message, anything else is added.</summary>
    public sealed record ClickResponse(Uri ResponseUrl) : SlackReplyAddress;

    /// <summary>A message in a thread (chat.postMessage), or chat.postEphemeral to <paramref name="Requester"/> when the reply is for them only.</summary>
    public sealed record Thread(string Channel, string? ThreadTs, ChatUser? Requester) : SlackReplyAddress;

    /// <summary>Replaces a message the bot posted (chat.update), without buttons.</summary>
    public sealed record Update(string Channel, string Ts) : SlackReplyAddress;
}
