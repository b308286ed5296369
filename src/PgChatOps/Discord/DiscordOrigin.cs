using System.Text.Json;
using PgChatOps.Commands;

namespace PgChatOps.Discord;

/// <summary>Where an interaction came from and who sent it, read once from its JSON.</summary>
/// <param name="Workspace">The guild id, or <c>dm</c> outside a guild.</param>
/// <param name="IsDirectMessage">
/// Outside a guild: no <c>guild_id</c>, or an interaction <c>context</c> other than 0 (GUILD), i.e. a DM with
/// the bot or a group DM.
/// </param>
public sealed record DiscordOrigin(string ApplicationId, string Token, string Workspace, string Channel, ChatUser User, bool IsDirectMessage)
{
    /// <summary>The interaction <c>context</c> of a command used in a guild.</summary>
    public const int GuildContext = 0;

    /// <summary>Null when a field PgChatOps needs is missing: the interaction is then refused with 400.</summary>
    public static DiscordOrigin? From(JsonElement interaction, string? configuredApplicationId)
    {
        var token = String(interaction, "token");
        var applicationId = String(interaction, "application_id") ?? configuredApplicationId;
        var channel = String(interaction, "channel_id")
            ?? (interaction.TryGetProperty("channel", out var ch) && ch.ValueKind == JsonValueKind.Object ? String(ch, "id") : null);
        var guild = String(interaction, "guild_id");

        JsonElement user;
        string? nick = null;
        var roles = new List<string>();
        if (interaction.TryGetProperty("member", out var member) && member.ValueKind == JsonValueKind.Object
            && member.TryGetProperty("user", out user) && user.ValueKind == JsonValueKind.Object)
        {
            nick = String(member, "nick");
            if (member.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array)
            {
                roles.AddRange(r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
        }
        else if (!interaction.TryGetProperty("user", out user) || user.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var userId = String(user, "id");
        if (token is null || applicationId is null || channel is null || userId is null)
        {
            return null;
        }
        var name = nick ?? String(user, "global_name") ?? String(user, "username") ?? userId;
        var outsideGuild = guild is null
            || interaction.TryGetProperty("context", out var context) && !(context.ValueKind == JsonValueKind.Number && context.TryGetInt32(out var c) && c == GuildContext);
        return new DiscordOrigin(applicationId, token, guild ?? "dm", channel, new ChatUser(userId, name, roles), outsideGuild);
    }

    internal static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}
