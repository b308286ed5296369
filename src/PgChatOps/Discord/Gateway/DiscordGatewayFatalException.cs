namespace PgChatOps.Discord.Gateway;

/// <summary>The Gateway refused us in a way reconnecting cannot fix (PROTOCOLS.md §15.6, or a rejected bot token).</summary>
internal sealed class DiscordGatewayFatalException(string message, int? closeCode = null) : Exception(message)
{
    public int? CloseCode { get; } = closeCode;
}
