namespace PgChatOps.Slack;

/// <summary>What kind of Slack conversation a channel id (and, in commands and clicks, its name) denotes.</summary>
internal static class SlackConversation
{
    /// <summary>
    /// A direct message with the bot or a group DM: DM ids start with <c>D</c>, and Slack names a DM
    /// <c>directmessage</c> and a group DM <c>mpdm-…</c> in slash commands and interaction payloads.
    /// </summary>
    public static bool IsDirectMessage(string channelId, string? channelName) =>
        channelId.StartsWith('D')
        || string.Equals(channelName, "directmessage", StringComparison.Ordinal)
        || channelName?.StartsWith("mpdm-", StringComparison.Ordinal) == true;
}
