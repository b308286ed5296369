using System.Text.Json.Nodes;
using PgChatOps.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// What a Slack interaction payload means, whichever transport brought it (the <c>payload=</c> form field over HTTP,
/// a Socket Mode envelope): clicks on the confirmation buttons (<c>block_actions</c>). Acknowledged at once; the
/// outcome replaces the confirmation through response_url, a refusal goes to the clicker only.
/// </summary>
public sealed class SlackInteractions(
    CommandPipeline pipeline,
    SlackUserGroups groups,
    SlackReplyChannel replies,
    SlackOpenConfirmations confirmations,
    DetachedWork background,
    ILogger<SlackInteractions> log)
{
    /// <summary>Slack echoes the whole source message in the payload, so this is larger than for commands.</summary>
    public const int MaxBody = 1024 * 1024;

    /// <summary>Starts handling the payload after the acknowledgement, which is always empty.</summary>
    public void Handle(JsonObject payload)
    {
        if (SlackInbound.Str(payload["type"]) != "block_actions" || Click(payload) is not { } click)
        {
            // Other interactions (shortcuts, views, foreign buttons) are not ours: acknowledge and ignore.
            return;
        }

        var responseUrl = replies.ResponseUrl(SlackInbound.Str(payload["response_url"]));
        var messageTs = SlackInbound.Str(payload["container"]?["message_ts"]) ?? SlackInbound.Str(payload["message"]?["ts"]);
        var threadTs = SlackInbound.Str(payload["message"]?["thread_ts"]) ?? SlackInbound.Str(payload["container"]?["thread_ts"]) ?? messageTs;

        background.Run("handle a button click", async ct =>
        {
            var clicker = click.User with { Groups = await groups.ApproverGroupsOfAsync(click.User.Id, click.Place, ct) };
            var reply = await pipeline.HandleClickAsync(click with { User = clicker }, ct);
            confirmations.Forget(reply);
            if (responseUrl is not null)
            {
                await replies.DeliverAsync(reply, new SlackReplyAddress.ClickResponse(responseUrl), ct);
            }
            else
            {
                SlackLog.ClickWithoutResponseUrl(log);
            }
            await replies.RecordOutcomeAsync(reply, click.Channel, threadTs, ct);
        });
    }

    private static ButtonClick? Click(JsonObject payload)
    {
        if (payload["actions"] is not JsonArray actions)
        {
            return null;
        }
        foreach (var action in actions.OfType<JsonObject>())
        {
            ButtonRole? role = SlackInbound.Str(action["action_id"]) switch
            {
                BlockKitRenderer.ConfirmActionId => ButtonRole.Confirm,
                BlockKitRenderer.AbortActionId => ButtonRole.Abort,
                _ => null,
            };
            if (role is null || !Guid.TryParse(SlackInbound.Str(action["value"]), out var id))
            {
                continue;
            }
            var userId = SlackInbound.Str(payload["user"]?["id"]);
            var channel = SlackInbound.Str(payload["channel"]?["id"]) ?? SlackInbound.Str(payload["container"]?["channel_id"]);
            var team = SlackInbound.Str(payload["team"]?["id"]) ?? SlackInbound.Str(payload["user"]?["team_id"]);
            if (userId is null || channel is null || team is null)
            {
                return null;
            }
            var name = SlackInbound.Str(payload["user"]?["username"]) ?? SlackInbound.Str(payload["user"]?["name"]) ?? userId;
            return new ButtonClick(Platform.Slack, team, channel, new ChatUser(userId, name, []), id, role.Value)
            {
                IsDirectMessage = SlackConversation.IsDirectMessage(channel, SlackInbound.Str(payload["channel"]?["name"])),
                // Slack gives every click its own trigger_id: a replayed payload is handled once, across replicas.
                DeliveryId = SlackInbound.Str(payload["trigger_id"]) is { Length: > 0 } trigger ? "click:" + trigger : null,
            };
        }
        return null;
    }
}
