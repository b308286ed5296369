using System.Globalization;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Actions;

/// <summary>The replies of an action's life: the confirmation, and its outcome (which replaces the confirmation).</summary>
public static class ActionReplies
{
    private static readonly IReadOnlyList<string> PreviewColumns = ["pid", "user", "db", "app", "state", "query", "protected"];
    private static readonly IReadOnlyList<string> OutcomeColumns = ["pid", "user", "db", "app", "result"];

    public static Reply Confirmation(PendingAction action, ChatUser requester, bool distinctApprover, DateTimeOffset now)
    {
        var verb = action.Kind == ActionKind.Cancel ? "Cancel the queries of" : "Terminate";
        var actionable = action.Actionable.Count();
        var protectedCount = action.Sessions.Count - actionable;
        var title = $"{verb} {Format.Count(actionable, "session")} on {action.Target}? Requested by {requester.DisplayName}";
        var notes = new List<string>();
        if (protectedCount > 0)
        {
            notes.Add($"{Format.Count(protectedCount, "protected session")} will be left alone: "
                + string.Join("; ", action.Sessions.Where(s => s.ProtectedReason is not null).Take(10).Select(s => $"{s.Pid} ({s.ProtectedReason})"))
                + (protectedCount > 10 ? "; …" : "") + ".");
        }
        notes.Add($"Only these sessions, identified by pid and start time, are touched; sessions that start later are not. "
            + $"This confirmation expires at {Format.At(action.ExpiresAt)}{ReplyTime.Relative($" ({Format.Duration(action.ExpiresAt - now)})")}.");
        notes.Add($"Confirming needs the '{CommandGrammar.ClassName(action.Kind.Class())}' permission here"
            + (distinctApprover ? ", and must come from someone other than the requester." : "."));

        var confirmLabel = action.Kind == ActionKind.Cancel ? $"Cancel {Format.Count(actionable, "query")}" : $"Terminate {Format.Count(actionable, "session")}";
        return new Reply
        {
            Kind = ReplyKind.Confirmation,
            Visibility = Visibility.Channel,
            ActionId = action.Id,
            Title = title,
            Context = Replies.Replies.Context(action.Target, now, action.Command),
            Table = new ReplyTable(PreviewColumns, action.Sessions.Select(PreviewRow).ToList(), action.Sessions.Count)
            {
                MoreHint = "all of them are part of this action",
            },
            Notes = notes,
            Buttons =
            [
                new ReplyButton(ButtonRole.Confirm, action.Id, confirmLabel, Danger: action.Kind == ActionKind.Terminate)
                {
                    Dialog = new ConfirmDialog(
                        action.Kind == ActionKind.Cancel ? "Cancel these queries?" : "Terminate these sessions?",
                        $"{(action.Kind == ActionKind.Cancel ? "pg_cancel_backend" : "pg_terminate_backend")} on {Format.Count(actionable, "session")} on {action.Target}. This cannot be undone.",
                        action.Kind == ActionKind.Cancel ? "Cancel queries" : "Terminate",
                        "Go back"),
                },
                new ReplyButton(ButtonRole.Abort, action.Id, "Abort"),
            ],
        };
    }

    private static IReadOnlyList<string> PreviewRow(PlannedSession s) =>
    [
        s.Pid.ToString(CultureInfo.InvariantCulture),
        s.User ?? "",
        s.Database ?? "",
        s.Application ?? "",
        Replies.Replies.StateWord(s.State),
        Format.Truncate(s.Query, Replies.Replies.QueryCellLength),
        s.ProtectedReason is null ? "" : "yes: " + s.ProtectedReason,
    ];

    public static Reply Executed(PendingAction action, ChatUser approver, DateTimeOffset now, string? auditWarning)
    {
        var result = action.Result ?? [];
        var ok = result.Count(o => o.Succeeded);
        var done = action.Kind == ActionKind.Cancel ? "Cancelled the queries of" : "Terminated";
        var notes = new List<string>();
        if (auditWarning is not null)
        {
            notes.Add("⚠ " + auditWarning);
        }
        var problems = result.Where(o => !o.Succeeded && o.Outcome != Outcomes.Protected).ToList();
        if (problems.Any(o => o.Outcome == Outcomes.NoPrivilege))
        {
            notes.Add("The bot's database role may not signal some of these backends: it needs superuser, membership in the session's role, "
                + "or pg_signal_backend (which never covers superuser sessions).");
        }
        var changed = problems.Count(o => o.Outcome == Outcomes.Changed);
        if (changed > 0)
        {
            notes.Add($"{Format.Count(changed, "session")} changed since the preview and {(changed == 1 ? "was" : "were")} left alone. "
                + $"If {(changed == 1 ? "it" : "they")} should still be {(action.Kind == ActionKind.Cancel ? "cancelled" : "terminated")}, ask again "
                + $"(`{CommandGrammar.Prefix} {action.Command}`) for a fresh preview.");
        }
        return new Reply
        {
            Kind = ReplyKind.Outcome,
            Visibility = Visibility.Channel,
            ReplaceOriginal = true,
            ActionId = action.Id,
            Title = $"{done} {ok} of {Format.Count(result.Count, "session")} on {action.Target}",
            Context = Replies.Replies.Context(action.Target, now, action.Command),
            Fields =
            [
                new("requested by", action.RequestedByName),
                new("confirmed by", approver.DisplayName),
                new("when", Format.At(now)),
            ],
            Table = new ReplyTable(OutcomeColumns, result.Select(o => OutcomeRow(action, o)).ToList(), result.Count),
            Notes = notes,
        };
    }

    private static IReadOnlyList<string> OutcomeRow(PendingAction action, SessionOutcome o)
    {
        var planned = action.Sessions.FirstOrDefault(s => s.Pid == o.Pid && s.BackendStart == o.BackendStart);
        return
        [
            o.Pid.ToString(CultureInfo.InvariantCulture),
            planned?.User ?? o.User ?? "",
            planned?.Database ?? "",
            planned?.Application ?? "",
            Describe(o, planned),
        ];
    }

    /// <summary>One session's result, with what it was doing at that moment where that differs from the preview.</summary>
    public static string Describe(SessionOutcome o, PlannedSession? planned)
    {
        if (o.Outcome == Outcomes.Changed)
        {
            return $"changed since the preview: now {Doing(o)}; not touched";
        }
        var text = Describe(o.Outcome, planned?.ProtectedReason);
        // A session that ran and finished other queries in between, and is back where it was, is not worth a word.
        var differs = planned is not null && o.NowState is not null
            && (o.NowState != planned.State || (o.NowState == "active" && planned.QueryStart is not null && o.NowQueryStart != planned.QueryStart));
        return o.Succeeded && differs
            ? $"{text} (it was {Doing(o)} by then; the preview showed it {Replies.Replies.StateWord(planned!.State)})"
            : text;
    }

    private static string Doing(SessionOutcome o) =>
        o.NowState == "active" && !string.IsNullOrEmpty(o.NowQuery)
            ? $"active, running `{Format.Truncate(o.NowQuery.ReplaceLineEndings(" "), 80)}`"
            : o.NowState == "active" ? "active, running another query" : Replies.Replies.StateWord(o.NowState);

    public static string Describe(string outcome, string? protectedReason = null) => outcome switch
    {
        Outcomes.Terminated => "terminated",
        Outcomes.Cancelled => "query cancelled (connection kept)",
        Outcomes.StillRunning => "signalled, but still running after the wait",
        Outcomes.NotSignalled => "not signalled (PostgreSQL refused)",
        Outcomes.Gone => "already gone: not touched",
        Outcomes.Reused => "pid now belongs to another session: not touched",
        Outcomes.Protected => "protected: not touched" + (protectedReason is null ? "" : $" ({protectedReason})"),
        Outcomes.NoPrivilege => "not allowed: the bot's role may not signal it",
        Outcomes.Unverified => "identity not visible to the bot's role: not touched",
        Outcomes.NoQuery => "no query running: nothing to cancel",
        _ => outcome,
    };

    public static Reply Aborted(PendingAction action, ChatUser by) => new()
    {
        Kind = ReplyKind.Outcome,
        Visibility = Visibility.Channel,
        ReplaceOriginal = true,
        ActionId = action.Id,
        Title = $"Aborted by {by.DisplayName}: nothing was {(action.Kind == ActionKind.Cancel ? "cancelled" : "terminated")} on {action.Target}",
        Fields =
        [
            new("requested by", action.RequestedByName),
            new("aborted by", by.DisplayName),
            new("command", CommandGrammar.Prefix + " " + action.Command),
            new("sessions", string.Join(", ", action.Sessions.Select(s => s.Pid))),
        ],
    };

    public static Reply Expired(PendingAction action, TimeSpan ttl) => new()
    {
        Kind = ReplyKind.Outcome,
        Visibility = Visibility.Channel,
        ReplaceOriginal = true,
        ActionId = action.Id,
        // Withdrawn before its time (its alert replaced its buttons or resolved) is not "nobody confirmed in time".
        Title = action.DecidedAt is { } at && at < action.ExpiresAt
            ? $"Withdrawn: this confirmation was replaced or its alert resolved; nothing was done on {action.Target}"
            : $"Expired: nobody confirmed within {Format.Duration(ttl)}; nothing was done on {action.Target}",
        Fields =
        [
            new("requested by", action.RequestedByName),
            new("command", CommandGrammar.Prefix + " " + action.Command),
        ],
        Notes = ["Run the command again for a fresh preview."],
    };

    public static Reply Failed(PendingAction action, ChatUser approver, string error, bool signalled = true) => new()
    {
        Kind = ReplyKind.Outcome,
        Visibility = Visibility.Channel,
        ReplaceOriginal = true,
        ActionId = action.Id,
        Title = $"Failed: the {action.Kind.Name()} on {action.Target} did not complete",
        Fields =
        [
            new("requested by", action.RequestedByName),
            new("confirmed by", approver.DisplayName),
            new("error", error),
        ],
        Notes = signalled
            ? ["The database returned no per-session result, so some sessions may already have been signalled. Check `/pg sessions` before trying again."]
            : ["Nothing was signalled. Run the command again for a fresh preview once the target is back."],
    };

    /// <summary>A confirmed action whose result was never recorded: the replica executing it stopped.</summary>
    public static Reply OutcomeUnknown(PendingAction action) => new()
    {
        Kind = ReplyKind.Outcome,
        Visibility = Visibility.Channel,
        ReplaceOriginal = true,
        ActionId = action.Id,
        Title = $"Outcome unknown: the {action.Kind.Name()} on {action.Target} was confirmed but its result was never recorded",
        Fields =
        [
            new("requested by", action.RequestedByName),
            new("confirmed by", action.DecidedByName ?? ""),
            new("confirmed at", action.DecidedAt is { } at ? Format.At(at) : ""),
            new("command", CommandGrammar.Prefix + " " + action.Command),
            new("sessions", string.Join(", ", action.Actionable.Select(s => s.Pid))),
        ],
        Notes = ["The PgChatOps replica executing it stopped, so these sessions may or may not have been signalled. "
            + "Check `/pg sessions` before asking again."],
    };
}
