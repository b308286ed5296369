using System.Text.Json;
using System.Text.Json.Nodes;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.Discord;

/// <summary>
/// A watch alert as a Discord message: <see cref="Alert.Message"/> rendered like any reply (content, embed, the fixes'
/// <c>pgchatops.confirm:&lt;id&gt;</c> / <c>pgchatops.abort:&lt;id&gt;</c> buttons) plus the Snooze button
/// (<c>pgchatops.snooze:&lt;alert id&gt;</c>) while the alert is open. A resolved alert has no buttons.
/// </summary>
public static class DiscordAlertMessage
{
    public const string SnoozePrefix = AlertSnoozeButton.ActionIdName + ":";

    public static JsonObject Render(Alert alert)
    {
        var message = DiscordRenderer.RenderForEdit(alert.Message);
        var rows = (JsonArray)message["components"]!;
        if (alert.Snooze is { } snooze)
        {
            var button = new JsonObject
            {
                ["type"] = 2,
                ["style"] = 2,
                ["label"] = Format.Truncate(snooze.Label, DiscordLimits.ButtonLabel),
                ["custom_id"] = snooze.DiscordCustomId,
            };
            if (rows.Count > 0 && ((JsonArray)rows[^1]!["components"]!).Count < DiscordLimits.ButtonsPerRow)
            {
                ((JsonArray)rows[^1]!["components"]!).Add(button);
            }
            else
            {
                if (rows.Count == DiscordLimits.ActionRows)
                {
                    rows.RemoveAt(rows.Count - 1);
                }
                rows.Add(new JsonObject { ["type"] = 1, ["components"] = new JsonArray(button) });
            }
        }
        return message;
    }

    /// <summary>The alert id of a <c>pgchatops.snooze:&lt;id&gt;</c> custom_id; false for any other id or a malformed one.</summary>
    public static bool TryParseSnooze(string? customId, out Guid alertId)
    {
        alertId = Guid.Empty;
        return customId is not null && customId.Length <= DiscordLimits.CustomId
            && customId.StartsWith(SnoozePrefix, StringComparison.Ordinal)
            && Guid.TryParseExact(customId[SnoozePrefix.Length..], "D", out alertId);
    }

    public static bool IsSnooze(string? customId) => customId is not null && customId.StartsWith(SnoozePrefix, StringComparison.Ordinal);

    /// <summary>Whether a component interaction came from an alert message: the message Discord sends along carries a Snooze button.</summary>
    public static bool IsAlert(JsonElement interaction) =>
        interaction.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("components", out var rows) && rows.ValueKind == JsonValueKind.Array
        && rows.EnumerateArray().Any(row => row.ValueKind == JsonValueKind.Object
            && row.TryGetProperty("components", out var items) && items.ValueKind == JsonValueKind.Array
            && items.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.Object && IsSnooze(DiscordOrigin.String(c, "custom_id"))));
}
