namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// The most recent envelope ids, each with its inline reply, so that an envelope Slack redelivers (after a reconnect,
/// or when an ack was lost) reaches the handler once and is acknowledged as the first one was. Bounded: the oldest id
/// is forgotten first.
/// </summary>
internal sealed class EnvelopeIdMemory(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SocketModeInlineReply> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary><c>true</c> when <paramref name="envelopeId"/> is new (and is now remembered with <paramref name="reply"/>).</summary>
    public bool TryRemember(string envelopeId, SocketModeInlineReply reply, out SocketModeInlineReply first)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(envelopeId, out var existing))
            {
                first = existing;
                return false;
            }
            _byId.Add(envelopeId, reply);
            _order.Enqueue(envelopeId);
            while (_order.Count > capacity)
            {
                _byId.Remove(_order.Dequeue());
            }
            first = reply;
            return true;
        }
    }
}
