namespace PgChatOps.Discord;

/// <summary>An interaction's <c>type</c> (PROTOCOLS.md §9).</summary>
public static class DiscordInteractionType
{
    public const int Ping = 1;
    public const int ApplicationCommand = 2;
    public const int MessageComponent = 3;
    public const int Autocomplete = 4;
    public const int ModalSubmit = 5;
}
