using System.Globalization;
using PgChatOps.Actions;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Watch;

/// <summary>An alert as a <see cref="Reply"/>: what every platform renders, with the fixes as ordinary confirmation buttons.</summary>
public static class AlertMessage
{
    private static readonly IReadOnlyList<string> Columns = ["pid", "user", "db", "app", "state", "for", "query", "fix"];

    public static Reply Build(Alert a)
    {
        var resolved = a.Status == AlertStatus.Resolved;
        var fixes = resolved ? [] : a.FixActions;
        var fields = new List<ReplyField>
        {
            a.NotAnswering is null
                ? new("rule", $"{a.Rule} ({a.Condition.Name()}, threshold {a.Threshold})")
                : new("rule", $"{a.Rule}, and every other rule on {a.Target} that posts here"),
            new("opened", Format.At(a.OpenedAt)),
        };
        if (a.NotAnswering is { } silent)
        {
            fields.Add(new("no answer since", Format.At(silent.Since)));
            fields.Add(new("latest error", silent.Error));
        }
        if (a.ResolvedAt is { } at)
        {
            fields.Add(new("resolved", $"{Format.At(at)}, after {Format.Duration(a.Lasted)}"));
        }
        if (a.Waiters is { } waiters)
        {
            fields.Add(new("waiting", Format.Count(waiters, "session")));
        }
        if (a is { Connections: { } used, MaxConnections: { } max })
        {
            fields.Add(new("connections", string.Create(CultureInfo.InvariantCulture, $"{used} of {max} ({a.Percent:0.#}%)")));
        }

        var notes = new List<string>();
        if (a.SnoozedUntil is { } until && a.SnoozedBy is { } by && !resolved)
        {
            notes.Add($"Snoozed by {by} until {Format.At(until)}: updates are muted until then.");
        }
        foreach (var fix in fixes)
        {
            notes.Add($"{fix.Label}: acts only on the {Format.Count(fix.Sessions.Count, "session")} marked '{FixWord(fix.Kind)}', identified by pid and start time, "
                + $"and needs the '{CommandGrammar.ClassName(Class(fix.Kind).Class())}' permission on {a.Target} here. "
                + $"Its button works until {Format.At(fix.ExpiresAt)} and is renewed while the incident lasts.");
        }
        notes.AddRange(resolved ? [] : a.FixNotes);
        if (a.NotAnswering is not null && !resolved)
        {
            notes.Add($"The watch keeps sampling {a.Target} every interval and marks this resolved when it answers again. Its other alerts stay as they were until then.");
        }

        var rows = a.Sessions.Select(s => Row(s, fixes)).ToList();
        var buttons = new List<ReplyButton>();
        foreach (var fix in fixes)
        {
            var kind = Class(fix.Kind);
            buttons.Add(new ReplyButton(ButtonRole.Confirm, fix.ActionId, fix.Label, Danger: kind == ActionKind.Terminate)
            {
                Dialog = new ConfirmDialog(
                    kind == ActionKind.Cancel ? "Cancel these queries?" : "Terminate these sessions?",
                    $"{(kind == ActionKind.Cancel ? "pg_cancel_backend" : "pg_terminate_backend")} on {Format.Count(fix.Sessions.Count, "session")} on {a.Target}. This cannot be undone.",
                    kind == ActionKind.Cancel ? "Cancel queries" : "Terminate",
                    "Go back"),
            });
        }
        foreach (var fix in fixes)
        {
            buttons.Add(new ReplyButton(ButtonRole.Abort, fix.ActionId, fixes.Count == 1 ? "Abort" : $"Abort {fix.Label.ToLowerInvariant()}"));
        }

        return new Reply
        {
            Kind = resolved ? ReplyKind.Outcome : fixes.Count > 0 ? ReplyKind.Confirmation : ReplyKind.Info,
            Visibility = Visibility.Channel,
            // A confirmation is already marked by every renderer (⚠); an alert without fixes gets its own marker.
            Title = (resolved ? "✔ " : fixes.Count > 0 ? "" : "🚨 ") + a.Title,
            Context = $"watch alert {a.Id} · {a.Target}",
            Fields = fields,
            Table = rows.Count == 0 ? null : new ReplyTable(Columns, rows, Math.Max(a.SessionCount, rows.Count)) { MoreHint = $"/pg sessions target={a.Target}" },
            Notes = notes,
            Buttons = buttons,
            ActionId = fixes.Count > 0 ? fixes[0].ActionId : null,
        };
    }

    public static ActionKind Class(AlertFixKind kind) => kind == AlertFixKind.Cancel ? ActionKind.Cancel : ActionKind.Terminate;

    private static string FixWord(AlertFixKind kind) => kind == AlertFixKind.Cancel ? "cancel" : "terminate";

    private static IReadOnlyList<string> Row(AlertSession s, IReadOnlyList<AlertFixAction> fixes)
    {
        var marks = fixes.Where(f => f.Sessions.Contains(s.Identity)).Select(f => FixWord(f.Kind)).Distinct().ToList();
        var fix = marks.Count > 0 ? string.Join(" or ", marks)
            : s.BlockedBy.Count > 0 ? $"waits on {string.Join(",", s.BlockedBy)}" : "";
        return
        [
            s.Pid.ToString(CultureInfo.InvariantCulture),
            s.User ?? "",
            s.Database ?? "",
            s.Application ?? "",
            Replies.Replies.StateWord(s.State),
            Format.Duration(s.InState),
            Format.Truncate(s.Query, Replies.Replies.QueryCellLength),
            fix,
        ];
    }
}
