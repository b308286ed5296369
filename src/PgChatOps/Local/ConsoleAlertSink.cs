using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.Local;

/// <summary>
/// The console's alert sink: prints each alert, its updates and its resolution into the chat, with the words that
/// stand for its buttons (<c>confirm &lt;action id&gt;</c>, <c>abort &lt;action id&gt;</c>, <c>snooze &lt;alert id&gt;</c>).
/// The message reference is the alert id: a console has no message to edit, so an update is printed again.
/// </summary>
public sealed class ConsoleAlertSink(TextWriter output) : IAlertSink
{
    private readonly Lock _gate = new();

    public Task<string> OpenAsync(Alert alert, CancellationToken ct)
    {
        Write("new alert", alert);
        return Task.FromResult(alert.Id.ToString());
    }

    public Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        Write(alert.SnoozedUntil is null ? "alert update" : "alert snoozed", alert);
        return Task.CompletedTask;
    }

    public Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct)
    {
        Write("alert resolved", alert);
        return Task.CompletedTask;
    }

    /// <summary>The alert as the console prints it: the message, then what to type for each button.</summary>
    public static string Render(string heading, Alert alert)
    {
        var text = $"── {heading} ({alert.Platform} {alert.Channel}) ──{Environment.NewLine}{TextRenderer.Render(alert.Message)}";
        var words = alert.Message.Buttons
            .Select(b => $"{(b.Role == ButtonRole.Confirm ? "confirm" : "abort")} {b.ActionId}  ({Format.OneLine(b.Label)})")
            .ToList();
        if (alert.Snooze is { } snooze)
        {
            words.Add($"snooze {snooze.AlertId}  ({snooze.Label})");
        }
        return words.Count == 0 ? text : text + "Type: " + string.Join(Environment.NewLine + "      ", words) + Environment.NewLine;
    }

    private void Write(string heading, Alert alert)
    {
        var text = Render(heading, alert);
        lock (_gate)
        {
            output.WriteLine();
            output.Write(text);
            output.Flush();
        }
    }
}
