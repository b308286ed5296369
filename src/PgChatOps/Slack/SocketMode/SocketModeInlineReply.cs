using System.Text.Json.Nodes;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// The one chance to put an answer into an envelope's acknowledgement. It is open only while the envelope accepts a
/// response payload and the transport's inline window has not run out; whichever comes first, the handler's answer
/// or the window's end, decides, and the other side learns the outcome (no answer is ever silently dropped).
/// </summary>
internal sealed class SocketModeInlineReply
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JsonObject? _answer;
    private bool _closed;

    public SocketModeInlineReply(bool acceptsResponsePayload)
    {
        _closed = !acceptsResponsePayload;
    }

    /// <summary>Whether <see cref="TryAnswer"/> could still succeed now.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return !_closed;
            }
        }
    }

    /// <summary>
    /// Offers <paramref name="payload"/> for the acknowledgement. <c>true</c>: it is taken and will be sent as the ack's
    /// <c>payload</c> (should that ack be lost with its connection, Slack redelivers the envelope and the redelivery is
    /// acknowledged with the same payload). <c>false</c>: too late or not accepted; deliver it another way.
    /// </summary>
    public bool TryAnswer(JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }
            _answer = payload;
            _closed = true;
        }
        _answered.TrySetResult();
        return true;
    }

    internal Task Answered => _answered.Task;

    /// <summary>Ends the window; returns the answer taken before it ended, if any. Idempotent.</summary>
    internal JsonObject? Close()
    {
        lock (_gate)
        {
            _closed = true;
            return _answer;
        }
    }
}
