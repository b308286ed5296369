using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using PgChatOps.Slack.SocketMode;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

/// <summary>
/// A handler that does what a test tells it (<see cref="Behaviour"/>) and records what it saw and how it ended:
/// whether its inline answer was taken, or it had to "deliver through response_url".
/// </summary>
internal sealed class RecordingHandler : ISocketModeHandler
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<HandledEnvelope>> _done = new();

    public ConcurrentQueue<SocketModeEnvelope> Received { get; } = new();

    /// <summary>Default: answer inline at once when the envelope accepts it.</summary>
    public Func<SocketModeEnvelope, CancellationToken, Task<JsonObject?>> Behaviour { get; set; } =
        (e, _) => Task.FromResult<JsonObject?>(new JsonObject { ["text"] = "answer to " + e.EnvelopeId });

    public async Task HandleAsync(SocketModeEnvelope envelope, SocketModeInlineReply inline, CancellationToken ct)
    {
        Received.Enqueue(envelope);
        var answer = await Behaviour(envelope, ct);
        var taken = answer is not null && inline.TryAnswer(answer);
        Done(envelope.EnvelopeId).TrySetResult(new HandledEnvelope(envelope, answer, InlineTaken: taken, ViaResponseUrl: answer is not null && !taken));
    }

    public Task<HandledEnvelope> WaitHandledAsync(string envelopeId) => Done(envelopeId).Task.WaitAsync(TimeSpan.FromSeconds(15));

    public int TimesHandled(string envelopeId) => Received.Count(e => e.EnvelopeId == envelopeId);

    private TaskCompletionSource<HandledEnvelope> Done(string envelopeId) =>
        _done.GetOrAdd(envelopeId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
}

internal sealed record HandledEnvelope(SocketModeEnvelope Envelope, JsonObject? Answer, bool InlineTaken, bool ViaResponseUrl);
