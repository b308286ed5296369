using PgChatOps.Replies;

namespace PgChatOps.Actions;

/// <summary>
/// Told by the expiry sweeper about each confirmation it expired (and, at start-up, each action that ended with
/// an unknown outcome), after the expiry and its audit entry are
/// committed, so a platform can replace the still-live buttons. Implementations must return quickly (start
/// slow work detached); an exception is logged by the sweeper and never stops it.
/// </summary>
public interface IActionExpiryListener
{
    /// <param name="reply">The Expired outcome, the same one a later click would get.</param>
    Task OnExpiredAsync(PendingAction action, Reply reply, CancellationToken ct);

    /// <summary>
    /// Told at start-up about each confirmed action found without a result (now 'outcome unknown', audited), so the
    /// platform can post it where the action was asked for and to its audit channel.
    /// </summary>
    Task OnOutcomeUnknownAsync(PendingAction action, Reply reply, CancellationToken ct) => Task.CompletedTask;
}
