namespace PgChatOps.Discord;

/// <summary>Discord did not take an alert message (posted or edited); the watch tries again at the next sample.</summary>
public sealed class DiscordAlertException : Exception
{
    public DiscordAlertException()
    {
    }

    public DiscordAlertException(string message)
        : base(message)
    {
    }

    public DiscordAlertException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
