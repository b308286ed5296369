namespace PgChatOps.Slack;

/// <summary>
/// How to edit one posted confirmation: the slash command's response_url, or the channel and ts of a message
/// posted with chat.postMessage. A response_url is a credential for 30 minutes: this never prints it.
/// </summary>
public sealed record SlackConfirmationMessage(Uri? ResponseUrl, string? Channel, string? Ts)
{
    public override string ToString() => ResponseUrl is null ? $"message {Channel}/{Ts}" : "response_url (not shown)";
}
