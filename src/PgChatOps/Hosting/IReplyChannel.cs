using PgChatOps.Replies;

namespace PgChatOps.Hosting;

/// <summary>
/// The one way out to a chat platform: a <see cref="Reply"/> rendered for the platform and delivered to an address
/// that platform understands (a Slack response_url or thread, a Discord interaction webhook or channel). Whatever
/// transport brought the request in (HTTP, Socket Mode, the Gateway), replies leave through here.
/// A delivery that fails is logged and reported in the receipt, never thrown.
/// </summary>
public interface IReplyChannel
{
    Task<ReplyReceipt> DeliverAsync(Reply reply, ReplyAddress address, CancellationToken ct);
}
