namespace PgChatOps.Hosting;

/// <summary>Whether a reply arrived, and the id of the message it made when the platform gave one (a Slack ts).</summary>
public sealed record ReplyReceipt(bool Delivered, string? MessageId = null)
{
    public static readonly ReplyReceipt Failed = new(false);
}
