namespace PgChatOps.Discord;

/// <summary>
/// How to edit one posted confirmation: the interaction (application id and token) whose first response it is.
/// The token is a credential for 15 minutes: this never prints it.
/// </summary>
public sealed record DiscordConfirmationMessage(string ApplicationId, string Token)
{
    public override string ToString() => $"@original of an interaction of application {ApplicationId}";
}
