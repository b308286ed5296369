using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>Button ids (DESIGN.md, Contract – buttons): <c>pgchatops.confirm:&lt;id&gt;</c> and <c>pgchatops.abort:&lt;id&gt;</c>.</summary>
public static class DiscordCustomId
{
    public const string ConfirmPrefix = "pgchatops.confirm:";
    public const string AbortPrefix = "pgchatops.abort:";

    public static string For(ReplyButton button) =>
        (button.Role == ButtonRole.Confirm ? ConfirmPrefix : AbortPrefix) + button.ActionId.ToString("D");

    public static bool TryParse(string? customId, out ButtonRole role, out Guid actionId)
    {
        role = ButtonRole.Abort;
        actionId = Guid.Empty;
        if (customId is null || customId.Length > DiscordLimits.CustomId)
        {
            return false;
        }
        string rest;
        if (customId.StartsWith(ConfirmPrefix, StringComparison.Ordinal))
        {
            role = ButtonRole.Confirm;
            rest = customId[ConfirmPrefix.Length..];
        }
        else if (customId.StartsWith(AbortPrefix, StringComparison.Ordinal))
        {
            rest = customId[AbortPrefix.Length..];
        }
        else
        {
            return false;
        }
        return Guid.TryParseExact(rest, "D", out actionId);
    }
}
