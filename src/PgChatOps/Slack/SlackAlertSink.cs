using PgChatOps.Hosting;
using PgChatOps.Watch;

namespace PgChatOps.Slack;

/// <summary>
/// Watch alerts in Slack: chat.postMessage in the rule's channel once, chat.update for each change (paced by
/// <see cref="AlertEditPacer"/>) and for the resolution. The message reference is <c>channel|ts</c>. A failure
/// throws <see cref="SlackApiException"/>: the engine logs it and tries again at the next sample.
/// </summary>
public sealed class SlackAlertSink(SlackApiClient api, AlertEditPacer pacer) : IAlertSink
{
    private const char Separator = '|';

    public async Task<string> OpenAsync(Alert alert, CancellationToken ct)
    {
        var ts = await api.PostMessageAsync(alert.Channel, SlackAlertMessage.Render(alert), null, ct)
            ?? throw new SlackApiException("invalid_response: chat.postMessage returned no ts");
        var messageRef = alert.Channel + Separator + ts;
        pacer.Posted(messageRef);
        return messageRef;
    }

    public Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct) =>
        pacer.UpdateAsync("Slack", messageRef, c => EditAsync(messageRef, alert, c), ct);

    public Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct) =>
        pacer.ResolveAsync(messageRef, c => EditAsync(messageRef, alert, c), ct);

    private async Task EditAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        var (channel, ts) = Parse(messageRef);
        var update = SlackAlertMessage.Render(alert);
        update["channel"] = channel;
        update["ts"] = ts;
        await api.CallAsync("chat.update", update, ct);
    }

    public static (string Channel, string Ts) Parse(string messageRef)
    {
        var at = messageRef.LastIndexOf(Separator);
        return at > 0 && at < messageRef.Length - 1
            ? (messageRef[..at], messageRef[(at + 1)..])
            : throw new SlackApiException($"invalid_message_ref: not a Slack alert message reference");
    }
}
