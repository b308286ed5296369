using PgChatOps.Replies;

namespace PgChatOps.Commands;

/// <summary>One command as an adapter received it, before parsing or any permission check.</summary>
/// <param name="Workspace">Slack team id, Discord guild id, or the host name for the console.</param>
/// <param name="Thread">Slack thread_ts, when the command came from a thread.</param>
/// <param name="Text">The command text without the leading <c>/pg</c>, e.g. <c>sessions user=app</c>.</param>
public sealed record ChatRequest(
    Platform Platform,
    string Workspace,
    string Channel,
    string? Thread,
    ChatUser User,
    string Text)
{
    /// <summary>A Slack DM or group DM, or a Discord interaction outside a guild: never a channel for access rules.</summary>
    public bool IsDirectMessage { get; init; }

    public ChatPlace Place => new(Platform, Workspace, Channel, IsDirectMessage);
    /// <summary>The platform's id for this one delivery (Discord interaction id, Slack trigger_id), when it has one: a second request with it is a replay.</summary>
    public string? DeliveryId { get; init; }
}

/// <summary>Who is asking or clicking. Groups are Slack user-group ids or Discord role ids.</summary>
public sealed record ChatUser(string Id, string DisplayName, IReadOnlyList<string> Groups);

/// <summary>A click on a confirmation button (or the console's answer to its prompt).</summary>
public sealed record ButtonClick(
    Platform Platform,
    string Workspace,
    string Channel,
    ChatUser User,
    Guid ActionId,
    ButtonRole Role)
{
    /// <summary>The click came from a direct message (see <see cref="ChatRequest.IsDirectMessage"/>).</summary>
    public bool IsDirectMessage { get; init; }

    public ChatPlace Place => new(Platform, Workspace, Channel, IsDirectMessage);
    /// <summary>As <see cref="ChatRequest.DeliveryId"/>.</summary>
    public string? DeliveryId { get; init; }
}

public enum Platform
{
    Console,
    Slack,
    Discord,
}

public static class PlatformNames
{
    public static string Name(this Platform platform) => platform switch
    {
        Platform.Console => "console",
        Platform.Slack => "slack",
        Platform.Discord => "discord",
        _ => throw new ArgumentOutOfRangeException(nameof(platform)),
    };
}
