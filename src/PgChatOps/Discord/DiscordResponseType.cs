namespace PgChatOps.Discord;

/// <summary>An interaction response's <c>type</c> (PROTOCOLS.md §8).</summary>
public static class DiscordResponseType
{
    public const int Pong = 1;
    public const int ChannelMessageWithSource = 4;
    /// <summary>"Thinking…": the answer follows by editing <c>@original</c>.</summary>
    public const int DeferredChannelMessageWithSource = 5;
    /// <summary>A click acknowledged without a visible change: the message is edited later.</summary>
    public const int DeferredUpdateMessage = 6;
    public const int UpdateMessage = 7;
    public const int AutocompleteResult = 8;
    public const int Modal = 9;
}
