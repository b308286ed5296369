using System.Text.Json.Nodes;
using PgChatOps.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.Replies;
using PgChatOps.Watch;

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
    ILogger<SlackInteractions> log,
    WatchDesk? watch = null)
{
    /// <summary>Slack echoes the whole source message in the payload, so this is larger than for commands.</summary>
    public const int MaxBody = 1024 * 1024;

    /// <summary>Starts handling the payload after the acknowledgement, which is always empty.</summary>
    public void Handle(JsonObject payload)
    {
        if (SlackInbound.Str(payload["type"]) != "block_actions")
        {
            return;
        }
        if (WholeList(payload) is { } wholeList)
        {
            HandleWholeList(payload, wholeList);
            return;
        }
        if (Snooze(payload) is { } snooze)
        {
            HandleSnooze(payload, snooze);
            return;
        }
        if (Click(payload) is not { } click)
        {
            // Other interactions (shortcuts, views, foreign buttons) are not ours: acknowledge and ignore.
            return;
        }

        var responseUrl = replies.ResponseUrl(SlackInbound.Str(payload["response_url"]));
        var messageTs = SlackInbound.Str(payload["container"]?["message_ts"]) ?? SlackInbound.Str(payload["message"]?["ts"]);
        var threadTs = SlackInbound.Str(payload["message"]?["thread_ts"]) ?? SlackInbound.Str(payload["container"]?["thread_ts"]) ?? messageTs;
        // A watch alert stays the incident's living message (the watch updates and resolves it): the outcome of its
        // fix goes into the alert's thread instead of replacing it.
        var onAlert = SlackAlertMessage.IsAlert(payload);

        background.Run("handle a button click", async ct =>
        {
            var clicker = click.User with { Groups = await groups.ApproverGroupsOfAsync(click.User.Id, click.Place, ct) };
            var reply = await pipeline.HandleClickAsync(click with { User = clicker }, ct);
            confirmations.Forget(reply);
            if (onAlert)
            {
                await DeliverOnAlertAsync(reply with { ReplaceOriginal = false }, responseUrl, click.Channel, threadTs, ct);
                return;
            }
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

    /// <summary>
    /// A Snooze click on an alert (<c>pgchatops.snooze</c>, value = alert id): the same clicker and place as a
    /// confirmation click; the watch desk checks the channel and the clicker's permission and audits.
    /// </summary>
    private void HandleSnooze(JsonObject payload, SnoozeClick snooze)
    {
        var responseUrl = replies.ResponseUrl(SlackInbound.Str(payload["response_url"]));
        var messageTs = SlackInbound.Str(payload["container"]?["message_ts"]) ?? SlackInbound.Str(payload["message"]?["ts"]);
        var threadTs = SlackInbound.Str(payload["message"]?["thread_ts"]) ?? SlackInbound.Str(payload["container"]?["thread_ts"]) ?? messageTs;
        background.Run("handle a snooze click", async ct =>
        {
            Reply reply;
            if (snooze.AlertId is not { } alertId)
            {
                AlertLog.MalformedSnooze(log);
                reply = Reply.Error("This Snooze button carries no valid alert id: nothing was snoozed.");
            }
            else if (watch is null)
            {
                reply = Reply.Error("The watch is not running here: nothing was snoozed.");
            }
            else
            {
                var clicker = snooze.Click.User with { Groups = await groups.ApproverGroupsOfAsync(snooze.Click.User.Id, snooze.Click.Place, ct) };
                reply = await watch.SnoozeAsync(alertId, clicker, snooze.Click.Place, ct);
            }
            await DeliverOnAlertAsync(reply, responseUrl, snooze.Click.Channel, threadTs, ct);
        });
    }

    /// <summary>
    /// A click on "Whole list as CSV" (<c>pgchatops.csv</c>, value = the list's command): the pipeline runs it again
    /// as the clicker. The file goes into the list's thread like the list itself; a refusal to the clicker only.
    /// </summary>
    private void HandleWholeList(JsonObject payload, WholeListClick wholeList)
    {
        var responseUrl = replies.ResponseUrl(SlackInbound.Str(payload["response_url"]));
        var messageTs = SlackInbound.Str(payload["container"]?["message_ts"]) ?? SlackInbound.Str(payload["message"]?["ts"]);
        var threadTs = SlackInbound.Str(payload["message"]?["thread_ts"]) ?? SlackInbound.Str(payload["container"]?["thread_ts"]) ?? messageTs;
        var click = wholeList.Click;
        background.Run("handle a whole-list click", async ct =>
        {
            var clicker = click.User with { Groups = await groups.ApproverGroupsOfAsync(click.User.Id, click.Place, ct) };
            var request = new ChatRequest(Platform.Slack, click.Workspace, click.Channel, threadTs, clicker, wholeList.Value)
            {
                IsDirectMessage = click.IsDirectMessage,
                DeliveryId = click.DeliveryId,
            };
            var reply = await pipeline.HandleCsvClickAsync(request, ct);
            if (reply.Visibility == Visibility.Requester || reply.Files.Count == 0)
            {
                if (responseUrl is not null)
                {
                    await replies.DeliverAsync(reply with { ReplaceOriginal = false }, new SlackReplyAddress.ClickResponse(responseUrl), ct);
                }
                else
                {
                    SlackLog.ClickWithoutResponseUrl(log);
                }
                return;
            }
            await replies.DeliverAsync(reply, new SlackReplyAddress.Thread(click.Channel, threadTs, null), ct);
        });
    }

    private static WholeListClick? WholeList(JsonObject payload)
    {
        if (payload["actions"] is not JsonArray actions
            || actions.OfType<JsonObject>().FirstOrDefault(a => SlackInbound.Str(a["action_id"]) == BlockKitRenderer.CsvActionId) is not { } action)
        {
            return null;
        }
        // A value longer than any button PgChatOps makes is not read at all; the pipeline refuses an empty one.
        var value = SlackInbound.Str(action["value"]) is { Length: <= BlockKitRenderer.MaxButtonValue } v ? v : "";
        return Click(payload, (actionId, _) => actionId == BlockKitRenderer.CsvActionId ? (ButtonRole.Abort, Guid.Empty) : null) is { } click
            ? new WholeListClick(click, value)
            : null;
    }

    private sealed record WholeListClick(ButtonClick Click, string Value);

    /// <summary>An answer to a click on an alert: for the clicker only through response_url, otherwise in the alert's thread (and outcomes in the audit channel).</summary>
    private async Task DeliverOnAlertAsync(Reply reply, Uri? responseUrl, string channel, string? threadTs, CancellationToken ct)
    {
        if (reply.Visibility == Visibility.Requester)
        {
            if (responseUrl is not null)
            {
                await replies.DeliverAsync(reply, new SlackReplyAddress.ClickResponse(responseUrl), ct);
            }
            else
            {
                SlackLog.ClickWithoutResponseUrl(log);
            }
            return;
        }
        if (reply.Kind == ReplyKind.Outcome)
        {
            await replies.RecordOutcomeAsync(reply, channel, threadTs, ct);
            return;
        }
        await replies.DeliverAsync(reply with { Buttons = [] }, new SlackReplyAddress.Thread(channel, threadTs, null), ct);
    }

    private static SnoozeClick? Snooze(JsonObject payload)
    {
        if (payload["actions"] is not JsonArray actions
            || actions.OfType<JsonObject>().FirstOrDefault(a => SlackInbound.Str(a["action_id"]) == SlackAlertMessage.SnoozeActionId) is not { } action)
        {
            return null;
        }
        var value = SlackInbound.Str(action["value"]);
        Guid? alertId = value is { Length: <= 64 } && Guid.TryParse(value, out var id) ? id : null;
        // The same identity and place as a confirmation click; the action id is not used.
        return Click(payload, (actionId, _) => actionId == SlackAlertMessage.SnoozeActionId ? (ButtonRole.Abort, Guid.Empty) : null) is { } click ? new SnoozeClick(click, alertId) : null;
    }

    private sealed record SnoozeClick(ButtonClick Click, Guid? AlertId);

    private static ButtonClick? Click(JsonObject payload) => Click(payload, (actionId, value) =>
    {
        ButtonRole? role = actionId switch
        {
            BlockKitRenderer.ConfirmActionId => ButtonRole.Confirm,
            BlockKitRenderer.AbortActionId => ButtonRole.Abort,
            _ => null,
        };
        return role is not null && Guid.TryParse(value, out var id) ? (role.Value, id) : null;
    });

    /// <summary>The click of the first action that <paramref name="button"/> recognises, with who clicked and where.</summary>
    private static ButtonClick? Click(JsonObject payload, Func<string?, string?, (ButtonRole Role, Guid Id)?> button)
    {
        if (payload["actions"] is not JsonArray actions)
        {
            return null;
        }
        foreach (var action in actions.OfType<JsonObject>())
        {
            if (button(SlackInbound.Str(action["action_id"]), SlackInbound.Str(action["value"])) is not { } recognised)
            {
                continue;
            }
            var (role, id) = recognised;
            var userId = SlackInbound.Str(payload["user"]?["id"]);
            var channel = SlackInbound.Str(payload["channel"]?["id"]) ?? SlackInbound.Str(payload["container"]?["channel_id"]);
            var team = SlackInbound.Str(payload["team"]?["id"]) ?? SlackInbound.Str(payload["user"]?["team_id"]);
            if (userId is null || channel is null || team is null)
            {
                return null;
            }
            var name = SlackInbound.Str(payload["user"]?["username"]) ?? SlackInbound.Str(payload["user"]?["name"]) ?? userId;
            return new ButtonClick(Platform.Slack, team, channel, new ChatUser(userId, name, []), id, role)
            {
                IsDirectMessage = SlackConversation.IsDirectMessage(channel, SlackInbound.Str(payload["channel"]?["name"])),
                // Slack gives every click its own trigger_id: a replayed payload is handled once, across replicas.
                DeliveryId = SlackInbound.Str(payload["trigger_id"]) is { Length: > 0 } trigger ? "click:" + trigger : null,
            };
        }
        return null;
    }
}
