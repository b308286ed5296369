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
public sealed class SlackOpenConfirmations(SlackReplyChannel replies, DetachedWork background, TimeProvider time)
    : IActionExpiryListener
{
    /// <summary>A response_url works for 30 minutes.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(30);

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
                await replies.DeliverAsync(reply, new SlackReplyAddress.ClickResponse(message.ResponseUrl), ct);
            }
            else if (message.Channel is not null && message.Ts is not null)
            {
                await replies.DeliverAsync(reply, new SlackReplyAddress.Update(message.Channel, message.Ts), ct);
            }
            await replies.RecordOutcomeAsync(reply, null, null, ct);
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
                await replies.DeliverAsync(reply, new SlackReplyAddress.ClickResponse(message.ResponseUrl), ct);
            }
            else
            {
                await replies.DeliverAsync(reply with { Buttons = [], ReplaceOriginal = false }, new SlackReplyAddress.Thread(action.Channel, action.Thread, null), ct);
            }
            await replies.RecordOutcomeAsync(reply, null, null, ct);
        });
        return Task.CompletedTask;
    }
}
