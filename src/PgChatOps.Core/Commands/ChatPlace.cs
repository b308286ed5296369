namespace PgChatOps.Commands;

/// <summary>
/// Where a command or click happened, as access rules see it: platform, workspace (Slack team id, Discord guild
/// id, or the host name for the console), channel, and whether it is a direct message rather than a channel.
/// </summary>
public sealed record ChatPlace(Platform Platform, string Workspace, string Channel, bool IsDirectMessage = false);
