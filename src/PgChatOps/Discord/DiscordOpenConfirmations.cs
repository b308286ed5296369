using PgChatOps.Actions;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>
/// The confirmations this replica posted in Discord and can still edit. When the sweeper expires one, its message
/// is replaced with the Expired outcome (PATCH @original, no components) and the outcome goes to the audit channel.
/// A confirmation posted by another replica is not known here: nothing is shown until someone clicks (the click
/// path replaces it).
/// </summary>
public sealed class DiscordOpenConfirmations(DiscordReplyChannel replies, DiscordAuditChannel audit, DetachedWork background, TimeProvider time)
    : IActionExpiryListener
{
    /// <summary>An interaction token works for 15 minutes.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);

    private readonly ConfirmationMessages<DiscordConfirmationMessage> _messages = new(time, MaxAge);

    internal int Count => _messages.Count;

    /// <summary>Remembers how to edit <paramref name="reply"/>'s message, if it is a confirmation.</summary>
    public void Remember(Reply reply, DiscordConfirmationMessage message) => _messages.Remember(reply, message);

    /// <summary>An outcome has replaced the confirmation: nothing is left to edit.</summary>
    public void Forget(Reply reply) => _messages.Forget(reply);

    public Task OnExpiredAsync(PendingAction action, Reply reply, CancellationToken ct)
    {
        if (action.Platform != Platform.Discord || _messages.Take(action.Id) is not { } message)
        {
            return Task.CompletedTask;
        }
        background.Run("show an expired confirmation in Discord",
            ct => replies.DeliverAsync(reply, new DiscordReplyAddress.Original(message.ApplicationId, message.Token), ct));
        audit.Post(reply, action.Channel);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Found at start-up, so this replica rarely still knows the confirmation's message: the outcome is posted in the
    /// channel and to the audit channel.
    /// </summary>
    public Task OnOutcomeUnknownAsync(PendingAction action, Reply reply, CancellationToken ct)
    {
        if (action.Platform != Platform.Discord)
        {
            return Task.CompletedTask;
        }
        var message = _messages.Take(action.Id);
        ReplyAddress address = message is not null
            ? new DiscordReplyAddress.Original(message.ApplicationId, message.Token)
            : new DiscordReplyAddress.Channel(action.Channel);
        background.Run("show an unknown outcome in Discord", ct => replies.DeliverAsync(reply, address, ct));
        audit.Post(reply, action.Channel);
        return Task.CompletedTask;
    }
}
