using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// Socket Mode's envelopes into the same handling as the HTTP endpoints (<see cref="SlackInbound"/>): a slash command's
/// payload holds the fields the HTTP form would, an interaction's and an event's payload are the JSON the HTTP
/// endpoints would parse. It only translates: the transport acknowledges, and nothing here checks a signature (the
/// socket was opened with the app token, and envelopes carry none).
/// </summary>
internal sealed class SlackSocketModeHandler(
    SlackInbound slack,
    SlackReplyChannel replies,
    SlackApiClient api,
    TimeSpan answerWithin,
    ILogger<SlackSocketModeHandler> log) : ISocketModeHandler
{
    /// <summary>
    /// How much sooner than the transport's inline window a command must settle on its acknowledgement: the time to
    /// hand the answer over before the window closes.
    /// </summary>
    public static readonly TimeSpan HandOverMargin = TimeSpan.FromMilliseconds(300);

    public async Task HandleAsync(SocketModeEnvelope envelope, SocketModeInlineReply inline, CancellationToken ct)
    {
        switch (envelope.Type)
        {
            case SocketModeMessageTypes.SlashCommands:
                await CommandAsync(envelope.Payload, inline, ct);
                break;
            case SocketModeMessageTypes.Interactive:
                // Clicks are answered through response_url; the acknowledgement stays empty, as over HTTP.
                slack.Interaction(envelope.Payload);
                break;
            case SocketModeMessageTypes.EventsApi:
                // url_verification never comes over a socket; an app_mention is answered in its thread.
                slack.Event(envelope.Payload);
                break;
            default:
                SocketModeLog.EnvelopeIgnored(log, envelope.EnvelopeId, envelope.Type);
                break;
        }
    }

    private async Task CommandAsync(JsonObject payload, SocketModeInlineReply inline, CancellationToken ct)
    {
        SlackCommandAck ack;
        using (var acknowledgeBy = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            acknowledgeBy.CancelAfter(answerWithin);
            ack = await slack.CommandAsync(name => Field(payload, name), acknowledgeBy.Token);
        }
        if (inline.TryAnswer(ack.Body) || ack.AnswerFollows)
        {
            // In the acknowledgement; or only the "working on it" note missed it, and the answer follows anyway.
            return;
        }
        // The whole answer was ready, but the acknowledgement had gone without it: it still reaches the user.
        if (replies.ResponseUrl(Field(payload, "response_url")) is not { } responseUrl)
        {
            SocketModeLog.LateAnswerWithoutResponseUrl(log);
            return;
        }
        try
        {
            await api.PostToResponseUrlAsync(responseUrl, ack.Body, ct);
        }
        catch (SlackApiException ex)
        {
            SlackLog.ResponseUrlFailed(log, ex.Error);
        }
    }

    /// <summary>A slash command's field as the HTTP form would give it: its string value, or null when absent.</summary>
    private static string? Field(JsonObject payload, string name) =>
        payload[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
