using System.Text.Json.Nodes;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.Slack;

/// <summary>
/// A watch alert as a Slack message: <see cref="Alert.Message"/> rendered like any reply, with one actions block per
/// fix (its confirm and abort buttons: action ids are unique per block, not per message) and the Snooze button
/// (<c>pgchatops.snooze</c>, value = alert id) while the alert is open. A resolved alert has no buttons.
/// </summary>
public static class SlackAlertMessage
{
    public const string SnoozeActionId = AlertSnoozeButton.ActionIdName;

    public static JsonObject Render(Alert alert)
    {
        var reply = alert.Message;
        var message = BlockKitRenderer.Render(reply with { Buttons = [] });
        var blocks = (JsonArray)message["blocks"]!;
        var rows = reply.Buttons.GroupBy(b => b.ActionId).Select(g => g.DistinctBy(b => b.Role).ToList()).ToList();
        var actions = new List<JsonObject>();
        foreach (var row in rows)
        {
            var elements = new JsonArray();
            foreach (var button in row)
            {
                elements.Add(BlockKitRenderer.Button(button));
            }
            actions.Add(new JsonObject { ["type"] = "actions", ["elements"] = elements });
        }
        if (alert.Snooze is { } snooze)
        {
            var button = new JsonObject
            {
                ["type"] = "button",
                ["action_id"] = SnoozeActionId,
                ["value"] = snooze.Value,
                ["text"] = BlockKitRenderer.PlainText(snooze.Label, BlockKitRenderer.MaxButtonLabel, "Snooze"),
            };
            if (actions.Count > 0 && ((JsonArray)actions[^1]["elements"]!).Count < 25)
            {
                ((JsonArray)actions[^1]["elements"]!).Add(button);
            }
            else
            {
                actions.Add(new JsonObject { ["type"] = "actions", ["elements"] = new JsonArray(button) });
            }
        }
        // Keep the buttons: drop table blocks before them if a message would go over Slack's block limit.
        while (blocks.Count + actions.Count > BlockKitRenderer.MaxBlocks && blocks.Count > 1)
        {
            blocks.RemoveAt(blocks.Count - 1);
        }
        foreach (var block in actions)
        {
            blocks.Add(block);
        }
        return message;
    }

    /// <summary>Whether a block_actions payload came from an alert message: the bot's message Slack echoes carries a Snooze button.</summary>
    public static bool IsAlert(JsonObject payload) =>
        payload["message"]?["blocks"] is JsonArray blocks
        && blocks.OfType<JsonObject>().Any(b => b["elements"] is JsonArray elements
            && elements.OfType<JsonObject>().Any(e => SlackInbound.Str(e["action_id"]) == SnoozeActionId));
}
