using Microsoft.Extensions.Logging;

namespace PgChatOps.Watch;

/// <summary>
/// The alert sink until a chat adapter provides one: each open, update and resolution is a warning in the log.
/// The message reference is the alert id.
/// </summary>
public sealed class LogAlertSink(ILogger<LogAlertSink> log) : IAlertSink
{
    public Task<string> OpenAsync(Alert alert, CancellationToken ct)
    {
        Write("open", alert);
        return Task.FromResult(alert.Id.ToString());
    }

    public Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        Write(alert.SnoozedUntil is null ? "update" : "snoozed", alert);
        return Task.CompletedTask;
    }

    public Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        Write("resolved", alert);
        return Task.CompletedTask;
    }

    private void Write(string status, Alert alert) =>
        log.AlertLogged(status, alert.Rule, alert.Target, alert.Platform, alert.Channel, alert.Title);
}
