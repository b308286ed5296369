using System.Text.Json;
using PgChatOps.Hosting;
using PgChatOps.Watch;

namespace PgChatOps.Discord;

/// <summary>
/// Watch alerts in Discord: POST channels/{id}/messages in the rule's channel once, PATCH
/// channels/{id}/messages/{message id} for each change (paced by <see cref="AlertEditPacer"/>) and for the
/// resolution. The message reference is <c>channel/message</c>. A failure throws: the engine logs it and tries
/// again at the next sample.
/// </summary>
public sealed class DiscordAlertSink(DiscordApiClient api, AlertEditPacer pacer) : IAlertSink
{
    private const char Separator = '/';

    public async Task<string> OpenAsync(Alert alert, CancellationToken ct)
    {
        var result = await api.PostMessageAsync(alert.Channel, DiscordAlertMessage.Render(alert), ct);
        if (!result.IsSuccess)
        {
            throw new DiscordAlertException($"posting the alert failed: {result}");
        }
        var id = MessageId(result.Body) ?? throw new DiscordAlertException("posting the alert returned no message id");
        var messageRef = alert.Channel + Separator + id;
        pacer.Posted(messageRef);
        return messageRef;
    }

    public Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct) =>
        pacer.UpdateAsync("Discord", messageRef, c => EditAsync(messageRef, alert, c), ct);

    public Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct) =>
        pacer.ResolveAsync(messageRef, c => EditAsync(messageRef, alert, c), ct);

    private async Task EditAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        var at = messageRef.LastIndexOf(Separator);
        if (at <= 0 || at == messageRef.Length - 1)
        {
            throw new DiscordAlertException("not a Discord alert message reference");
        }
        var result = await api.EditMessageAsync(messageRef[..at], messageRef[(at + 1)..], DiscordAlertMessage.Render(alert), ct);
        if (!result.IsSuccess)
        {
            throw new DiscordAlertException($"editing the alert failed: {result}");
        }
    }

    private static string? MessageId(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? DiscordOrigin.String(doc.RootElement, "id") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
