using System.Collections.Concurrent;

namespace PgChatOps.Actions;

/// <summary>
/// How to edit the confirmation messages this replica posted, by action id, in memory only. Bounded: an entry
/// goes when it is taken (outcome or expiry), when it is older than <see cref="MaxAge"/> (the platform's handle
/// would no longer work), and the oldest go first beyond <see cref="MaxCount"/>.
/// </summary>
/// <typeparam name="TMessage">The platform's handle on one message; it may be a credential, so never log it.</typeparam>
public sealed class ConfirmationMessages<TMessage>(TimeProvider time, TimeSpan maxAge, int maxCount = 1000)
    where TMessage : class
{
    private readonly ConcurrentDictionary<Guid, (TMessage Message, DateTimeOffset At)> _messages = new();

    public TimeSpan MaxAge => maxAge;

    public int MaxCount => maxCount;

    public int Count => _messages.Count;

    public void Remember(Guid actionId, TMessage message)
    {
        var now = time.GetUtcNow();
        if (_messages.Count >= maxCount)
        {
            DropStale(now);
        }
        _messages[actionId] = (message, now);
    }

    /// <summary>Removes and returns the message of an action, if this replica knows one that is still usable.</summary>
    public TMessage? Take(Guid actionId) =>
        _messages.TryRemove(actionId, out var entry) && time.GetUtcNow() - entry.At <= maxAge ? entry.Message : null;

    public void Forget(Guid actionId) => _messages.TryRemove(actionId, out _);

    /// <summary>Remembers how to edit <paramref name="reply"/>'s message, if it is a confirmation.</summary>
    public void Remember(Replies.Reply reply, TMessage message)
    {
        if (reply.Kind == Replies.ReplyKind.Confirmation && reply.ActionId is { } id)
        {
            Remember(id, message);
        }
    }

    /// <summary>An outcome has replaced the confirmation: nothing is left to edit.</summary>
    public void Forget(Replies.Reply reply)
    {
        if (reply.Kind == Replies.ReplyKind.Outcome && reply.ActionId is { } id)
        {
            Forget(id);
        }
    }

    private void DropStale(DateTimeOffset now)
    {
        foreach (var (id, entry) in _messages)
        {
            if (now - entry.At > maxAge)
            {
                _messages.TryRemove(id, out _);
            }
        }
        // Still full of live entries (a flood of previews): the oldest lose their edit, never the newest.
        var excess = _messages.Count - maxCount + 1;
        if (excess > 0)
        {
            foreach (var (id, _) in _messages.OrderBy(e => e.Value.At).Take(excess).ToList())
            {
                _messages.TryRemove(id, out _);
            }
        }
    }
}
