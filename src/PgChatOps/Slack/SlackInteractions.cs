using PgChatOps.Hosting;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// POST /slack/interactions: clicks on the confirmation buttons (<c>block_actions</c>). Acknowledged at once;
/// the outcome replaces the confirmation through response_url, a refusal goes to the clicker only.
/// </summary>
public sealed class SlackInteractions(
    CommandPipeline pipeline,
    SlackUserGroups groups,
    SlackDelivery delivery,
    SlackOpenConfirmations confirmations,
    DetachedWork background,
    SlackSignatureVerifier verifier,
    ILogger<SlackInteractions> log)
{
    /// <summary>Slack echoes the whole source message in the payload, so this is larger than for commands.</summary>
    public const int MaxBody = 1024 * 1024;

    public async Task<IResult> HandleAsync(HttpRequest request)
    {
        var (body, refusal) = await SlackInbound.ReadSignedAsync(request, MaxBody, verifier);
        if (body is null)
        {
            return refusal!;
        }

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        JsonObject? payload = null;
        try
        {
            payload = form.TryGetValue("payload", out var p) && p.Count > 0 ? JsonNode.Parse(p[0]!) as JsonObject : null;
        }
        catch (JsonException)
        {
            // Answered below.
        }
        if (payload is null)
        {
            return Results.BadRequest("expected a form field 'payload' holding a JSON object");
        }
        if (SlackInbound.Str(payload["type"]) != "block_actions" || Click(payload) is not { } click)
        {
            // Other interactions (shortcuts, views, foreign buttons) are not ours: acknowledge and ignore.
            return Results.Ok();
        }

        var responseUrl = delivery.ResponseUrl(SlackInbound.Str(payload["response_url"]));
        var messageTs = SlackInbound.Str(payload["container"]?["message_ts"]) ?? SlackInbound.Str(payload["message"]?["ts"]);
        var threadTs = SlackInbound.Str(payload["message"]?["thread_ts"]) ?? SlackInbound.Str(payload["container"]?["thread_ts"]) ?? messageTs;

        background.Run("handle a button click", async ct =>
        {
            var clicker = click.User with { Groups = await groups.ApproverGroupsOfAsync(click.User.Id, click.Place, ct) };
            var reply = await pipeline.HandleClickAsync(click with { User = clicker }, ct);
            confirmations.Forget(reply);
            if (responseUrl is not null)
            {
                await delivery.RespondAsync(responseUrl, SlackDelivery.ClickResponse(reply, clicker), ct);
            }
            else
            {
                log.LogWarning("A button click came without a response_url; its answer cannot be shown to the clicker.");
            }
            await delivery.RecordOutcomeAsync(reply, click.Channel, threadTs, clicker, ct);
        });
        return Results.Ok();
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
