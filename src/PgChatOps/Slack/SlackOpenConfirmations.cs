using Microsoft.Extensions.Logging;
using PgChatOps.Actions;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// The confirmations this replica posted in Slack and can still edit. When the sweeper expires one, its message
/// is replaced with the Expired outcome (no buttons) and the outcome goes to the audit channel. A confirmation
/// posted by another replica is not known here: nothing is shown until someone clicks (the click path replaces it).
/// </summary>
public sealed class SlackOpenConfirmations(SlackDelivery delivery, SlackApiClient api, DetachedWork background, TimeProvider time, ILogger<SlackOpenConfirmations> log)
    : IActionExpiryListener
{
    /// <summary>A response_url works for 30 minutes.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(30);

    private static readonly ChatUser Bot = new("pgchatops", "PgChatOps", []);

    private readonly ConfirmationMessages<SlackConfirmationMessage> _messages = new(time, MaxAge);

    internal int Count => _messages.Count;

    /// <summary>Remembers how to edit <paramref name="reply"/>'s message, if it is a confirmation.</summary>
    public void Remember(Reply reply, SlackConfirmationMessage message) => _messages.Remember(reply, message);

    /// <summary>An outcome has replaced the confirmation: nothing is left to edit.</summary>
    public void Forget(Reply reply) => _messages.Forget(reply);

    public Task OnExpiredAsync(PendingAction action, Reply reply, CancellationToken ct)
    {
        if (action.Platform != Platform.Slack || _messages.Take(action.Id) is not { } message)
        {
            return Task.CompletedTask;
        }
        background.Run("show an expired confirmation in Slack", async ct =>
        {
            if (message.ResponseUrl is not null)
            {
                await delivery.RespondAsync(message.ResponseUrl, SlackDelivery.ClickResponse(reply, Bot), ct);
            }
            else if (message.Channel is not null && message.Ts is not null)
            {
                var update = BlockKitRenderer.Render(reply with { Buttons = [] });
                update["channel"] = message.Channel;
                update["ts"] = message.Ts;
                try
                {
                    await api.CallAsync("chat.update", update, ct);
                }
                catch (SlackApiException ex)
                {
                    log.LogWarning("Could not replace an expired confirmation in channel {Channel}: {Error}", message.Channel, ex.Error);
                }
            }
            await delivery.RecordOutcomeAsync(reply, null, null, null, ct);
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Found at start-up, so this replica rarely still knows the confirmation's message: the outcome is posted in the
    /// channel (in its thread, if any) and to the audit channel.
    /// </summary>
    public Task OnOutcomeUnknownAsync(PendingAction action, Reply reply, CancellationToken ct)
    {
        if (action.Platform != Platform.Slack)
        {
            return Task.CompletedTask;
        }
        var message = _messages.Take(action.Id);
        background.Run("show an unknown outcome in Slack", async ct =>
        {
            if (message?.ResponseUrl is not null)
            {
                await delivery.RespondAsync(message.ResponseUrl, SlackDelivery.ClickResponse(reply, Bot), ct);
            }
            else
            {
                try
                {
                    await api.PostMessageAsync(action.Channel, BlockKitRenderer.Render(reply with { Buttons = [], ReplaceOriginal = false }), action.Thread, ct);
                }
                catch (SlackApiException ex)
                {
                    log.LogWarning("Could not post an unknown outcome in channel {Channel}: {Error}", action.Channel, ex.Error);
                }
            }
            await delivery.RecordOutcomeAsync(reply, null, null, null, ct);
        });
        return Task.CompletedTask;
    }
}
