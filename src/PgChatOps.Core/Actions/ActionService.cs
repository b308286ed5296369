using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Actions;

/// <summary>
/// cancel and kill: preview, confirmation, execution. Nothing is signalled without a stored, audited,
/// unexpired confirmation taken by exactly one allowed approver.
/// </summary>
public sealed class ActionService(
    ActivityReader reader,
    PendingActionStore store,
    AuditLog auditLog,
    BackendSignaller signaller,
    AccessPolicy access,
    ProtectionPolicy protection,
    IOptions<PgChatOpsOptions> options,
    TimeProvider time,
    ILogger<ActionService> log,
    PgChatOpsMetrics metrics)
{
    private readonly ConfirmationOptions _confirmation = options.Value.Confirmation;
    private readonly MonitoringOptions _monitoring = options.Value.Monitoring;

    /// <summary>Builds the preview and stores the pending action with its audit entry; shows buttons only if both were written.</summary>
    public Task<Reply> PreviewAsync(ChatRequest request, Command command, string target, CancellationToken ct) =>
        PreviewAsync(request, command, target, null, ct);

    /// <param name="shown">
    /// When set (an alert's fix), only these sessions may be part of the action: the ones the alert showed. A pid now
    /// held by another backend, or a session that matches the filters but was not shown, is left out.
    /// </param>
    public async Task<Reply> PreviewAsync(ChatRequest request, Command command, string target, IReadOnlyCollection<BackendIdentity>? shown, CancellationToken ct)
    {
        var kind = command.Verb == Verb.Cancel ? ActionKind.Cancel : ActionKind.Terminate;
        var now = await store.NowAsync(ct);
        List<SessionInfo> matched;
        if (command.Pid is { } pid)
        {
            var detail = await reader.ShowAsync(target, pid, SessionQuery.QueryTextLimit, ct);
            if (detail is null)
            {
                return await NothingToDoAsync(request, command, target,
                    $"No session with pid {pid} on {target}: nothing to {kind.Name()}.", "It may have ended already; `/pg sessions` lists the current ones.", ct);
            }
            if (shown is not null && !shown.Contains(detail.Session.Identity))
            {
                return await NothingToDoAsync(request, command, target,
                    $"Pid {pid} on {target} is no longer the session that was shown: nothing to {kind.Name()}.", "The session ended and its pid was reused.", ct);
            }
            matched = [detail.Session];
        }
        else
        {
            var (sessions, total) = await reader.MatchAsync(target, command.Filter, _confirmation.MaxSessions + 1, ct);
            if (total > _confirmation.MaxSessions)
            {
                return await NothingToDoAsync(request, command, target,
                    $"Refused: {Format.Count(total, "session")} match on {target}, more than the {_confirmation.MaxSessions} one action may hit.",
                    $"Narrow the filters (e.g. add longer=, state= or app=), or raise PgChatOps:Confirmation:MaxSessions. `/pg sessions {command.Text[(command.Text.IndexOf(' ') + 1)..]}` shows them.", ct);
            }
            if (total == 0)
            {
                return await NothingToDoAsync(request, command, target,
                    $"No sessions match on {target}: nothing to {kind.Name()}.", $"Checked `{CommandGrammar.Prefix} {command.Text}`.", ct);
            }
            matched = [.. sessions.Where(s => shown is null || shown.Contains(s.Identity))];
            if (matched.Count == 0)
            {
                return await NothingToDoAsync(request, command, target,
                    $"None of the sessions that were shown still match on {target}: nothing to {kind.Name()}.", $"Checked `{CommandGrammar.Prefix} {command.Text}`.", ct);
            }
        }

        var planned = matched
            .Select(s => new PlannedSession(s.Pid, s.BackendStart, s.User, s.Database, s.ApplicationLabel, s.State,
                s.Query is null ? null : Format.Truncate(s.Query, 200), protection.ReasonFor(s), s.QueryStart))
            .ToList();
        var action = new PendingAction
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            Platform = request.Platform,
            Workspace = request.Workspace,
            Channel = request.Channel,
            Thread = request.Thread,
            Target = target,
            Command = command.Text,
            RequestedBy = request.User.Id,
            RequestedByName = request.User.DisplayName,
            CreatedAt = now,
            ExpiresAt = now + _confirmation.TimeToLive,
            Sessions = planned,
        };

        if (!action.Actionable.Any())
        {
            return await NothingToDoAsync(request, command, target,
                $"Nothing to {kind.Name()} on {target}: every matched session is protected.",
                string.Join("; ", planned.Select(p => $"{p.Pid}: {p.ProtectedReason}")), ct);
        }

        await store.CreateAsync(action, AuditEntry.For(request, AuditEvents.Confirmation) with
        {
            Target = target,
            Verb = command.Verb.ToString().ToLowerInvariant(),
            Command = command.Text,
            ActionId = action.Id,
            Detail = new { kind = kind.Name(), expires_at = action.ExpiresAt, sessions = planned },
        }, ct);

        return ActionReplies.Confirmation(action, request.User, access.RequireDistinctApprover, now);
    }

    private async Task<Reply> NothingToDoAsync(ChatRequest request, Command command, string target, string title, string note, CancellationToken ct)
    {
        // Audit first: a refused or empty request is recorded before it is answered.
        await auditLog.WriteAsync(AuditEntry.For(request, AuditEvents.Request) with
        {
            Target = target,
            Verb = command.Verb.ToString().ToLowerInvariant(),
            Command = command.Text,
            Outcome = "nothing_to_do",
            Detail = new { reason = title },
        }, ct);
        return new Reply
        {
            Kind = ReplyKind.Error,
            Visibility = Visibility.Requester,
            Title = title,
            Context = Replies.Replies.Context(target, time.GetUtcNow(), command.Text),
            Notes = [note],
        };
    }

    /// <summary>A confirm or abort click (or the console's answer).</summary>
    public async Task<Reply> DecideAsync(ButtonClick click, CancellationToken ct)
    {
        // Expiry is decided on the state store's clock, the same for every replica.
        var now = await store.NowAsync(ct);
        var action = await store.FindAsync(click.ActionId, ct);
        if (action is null)
        {
            await Audit(AuditEntry.For(click, AuditEvents.Refused) with { ActionId = click.ActionId, Outcome = "unknown_action" }, ct);
            return Refusal("This confirmation is unknown here: nothing was done.", "It may belong to another PgChatOps installation, or the button was forged.");
        }

        if (action.Platform != click.Platform || (action.Workspace != click.Workspace && action.Workspace != PendingAction.AnyWorkspace)
            || action.Channel != click.Channel)
        {
            await Audit(Refused(click, action, "wrong_channel"), ct);
            return Refusal("This confirmation belongs to another channel: nothing was done.", "Confirm it where it was posted.");
        }

        if (action.Status == ActionStatus.Expired)
        {
            // Expired by the sweeper while nobody clicked: replace the stale buttons with the outcome.
            return ActionReplies.Expired(action, _confirmation.TimeToLive);
        }
        if (action.Status != ActionStatus.Pending)
        {
            return AlreadyHandled(action);
        }

        if (action.ExpiresAt <= now)
        {
            var expired = await store.ExpireAsync(action.Id, now, a => Expired(a), ct);
            return expired.Count > 0
                ? ActionReplies.Expired(expired[0], _confirmation.TimeToLive)
                : HandledMeanwhile(await store.FindAsync(action.Id, ct) ?? action);
        }

        var permission = action.Kind.Class();
        var maySignal = access.IsAllowed(click.Place, click.User, action.Target, permission);
        if (click.Role == ButtonRole.Abort)
        {
            if (click.User.Id != action.RequestedBy && !maySignal)
            {
                await Audit(Refused(click, action, "not_allowed"), ct);
                return Refusal($"You may not abort this: only the requester or someone with the '{CommandGrammar.ClassName(permission)}' permission here can.", "");
            }
            var aborted = await store.TryDecideAsync(action.Id, ActionStatus.Aborted, click.User, now, Decision(click, action, AuditEvents.Aborted), ct);
            return aborted is null
                ? await LostRaceAsync(action, now, ct)
                : ActionReplies.Aborted(aborted, click.User);
        }

        if (!maySignal)
        {
            await Audit(Refused(click, action, "not_allowed"), ct);
            return Refusal(
                $"You may not confirm this: it needs the '{CommandGrammar.ClassName(permission)}' permission on {action.Target} in this channel.",
                "Nothing was done; the confirmation is still open for someone who has it.");
        }
        if (access.RequireDistinctApprover && click.User.Id == action.RequestedBy)
        {
            await Audit(Refused(click, action, "same_person"), ct);
            return Refusal("You asked for this, so someone else must confirm it (Access:RequireDistinctApprover).",
                "Nothing was done; the confirmation is still open.");
        }

        var claimed = await store.TryDecideAsync(action.Id, ActionStatus.Confirmed, click.User, now, Decision(click, action, AuditEvents.Confirmed), ct);
        return claimed is null
            ? await LostRaceAsync(action, now, ct)
            : await ExecuteAsync(claimed, click, ct);
    }

    /// <summary>Someone else decided first, or the time ran out between reading and deciding.</summary>
    private async Task<Reply> LostRaceAsync(PendingAction action, DateTimeOffset now, CancellationToken ct)
    {
        var current = await store.FindAsync(action.Id, ct) ?? action;
        if (current.Status == ActionStatus.Pending)
        {
            var expired = await store.ExpireAsync(action.Id, now, a => Expired(a), ct);
            if (expired.Count > 0)
            {
                return ActionReplies.Expired(expired[0], _confirmation.TimeToLive);
            }
        }
        return HandledMeanwhile(current);
    }

    private async Task<Reply> ExecuteAsync(PendingAction action, ButtonClick click, CancellationToken ct)
    {
        // A bulk action acts only on sessions that still match its filters: the ones the preview was made from.
        var parsed = CommandParser.Parse(action.Command);
        if (parsed.Command is not { } previewed)
        {
            return await NotStartedAsync(action, click, $"its command `{action.Command}` no longer parses ({parsed.Error}), so its filters cannot be re-applied");
        }
        var filter = previewed.Pid is null ? previewed.Filter : null;

        IReadOnlyList<SessionOutcome> outcomes;
        try
        {
            // Once confirmed, the signal is sent even if the clicker's HTTP request goes away.
            outcomes = await signaller.SignalAsync(action.Target, action.Kind, action.Actionable.ToList(), filter, _monitoring.TerminateWait, CancellationToken.None);
        }
        catch (ActionNotStartedException ex)
        {
            return await NotStartedAsync(action, click, ex.Message);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            var error = DatabaseErrors.Cause(ex, _monitoring.StatementTimeout);
            ActionLog.Failed(log, action.Id, action.Target, error);
            return await FailAsync(action, click, error, signalled: true);
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the action must not stay 'confirmed' with its outcome untold: sessions may have
            // been signalled, and the record says so.
            var id = Guid.NewGuid().ToString("N")[..8];
            ActionLog.FailedUnexpectedly(log, ex, action.Id, action.Target, id);
            return await FailAsync(action, click, $"an unexpected error inside PgChatOps (error {id}, in its log)", signalled: true);
        }

        var all = outcomes
            .Concat(action.Sessions.Where(s => s.ProtectedReason is not null)
                .Select(s => new SessionOutcome(s.Pid, s.BackendStart, Outcomes.Protected, s.User)))
            .OrderBy(o => o.Pid)
            .ToList();
        metrics.ActionExecuted(action.Kind, all);
        var audit = all.Select(o =>
        {
            var planned = action.Sessions.First(s => s.Pid == o.Pid && s.BackendStart == o.BackendStart);
            return Decision(click, action, AuditEvents.Executed) with
            {
                Pid = o.Pid,
                BackendStart = o.BackendStart,
                Outcome = o.Outcome,
                Detail = new { planned.User, planned.Database, planned.Application, planned.State, query = planned.Query, planned.ProtectedReason },
            };
        }).ToList();

        string? auditWarning = null;
        try
        {
            await store.CompleteAsync(action.Id, ActionStatus.Executed, all, audit, CancellationToken.None);
        }
        catch (StateStoreUnavailableException ex)
        {
            // The signals were sent and cannot be taken back: say so rather than pretend.
            ActionLog.ResultsNotRecorded(log, action.Id, ex.Message);
            auditWarning = $"The results could not be written to the audit log ({ex.Message}).";
        }
        var done = action with { Status = ActionStatus.Executed, Result = all };
        ActionLog.Executed(log, action.Id, action.Kind.Name(), action.Target, all.Count(o => o.Succeeded), all.Count);
        return ActionReplies.Executed(done, click.User, await store.NowAsync(CancellationToken.None), auditWarning);
    }

    /// <summary>Nothing was signalled: the action ends failed with the reason, never stuck in 'confirmed'.</summary>
    private async Task<Reply> NotStartedAsync(PendingAction action, ButtonClick click, string reason)
    {
        ActionLog.NotStarted(log, action.Id, action.Target, reason);
        return await FailAsync(action, click, reason, signalled: false);
    }

    private async Task<Reply> FailAsync(PendingAction action, ButtonClick click, string error, bool signalled)
    {
        metrics.ActionFailed(action.Kind, action.Target);
        try
        {
            await store.CompleteAsync(action.Id, ActionStatus.Failed, [],
                [Decision(click, action, AuditEvents.Failed) with { Outcome = "error", Detail = new { error, signalled = signalled ? "maybe" : "no" } }], CancellationToken.None);
        }
        catch (StateStoreUnavailableException)
        {
            // The failure itself is what the user reads; the 'confirmed' record is already written.
        }
        return ActionReplies.Failed(action with { Status = ActionStatus.Failed, DecidedByName = click.User.DisplayName }, click.User, error, signalled);
    }

    /// <summary>Expires every pending action whose time is up (the sweeper). Returns how many.</summary>
    public async Task<IReadOnlyList<PendingAction>> ExpireDueAsync(CancellationToken ct) =>
        await store.ExpireAsync(null, await store.NowAsync(ct), a => Expired(a), ct);

    /// <summary>
    /// The longest a confirmed action can take to execute: the signalling statement's budget, its connection and
    /// command timeouts, the wait for terminated backends to exit, and the writes of its result.
    /// </summary>
    public TimeSpan LongestExecution => BackendSignaller.LongestExecution(_monitoring.TerminateWait) + TimeSpan.FromMinutes(1);

    /// <summary>
    /// At start-up: actions confirmed longer ago than <see cref="LongestExecution"/> and still without a result were
    /// being executed by a replica that stopped. They end 'outcome unknown', audited; returns them.
    /// </summary>
    public async Task<IReadOnlyList<PendingAction>> EndStuckActionsAsync(CancellationToken ct) =>
        await store.MarkOutcomeUnknownAsync(await store.NowAsync(ct) - LongestExecution, a => OutcomeUnknown(a), ct);

    /// <summary>The sweeper (on any replica) may expire an action between this click's read and its write: still the Expired outcome.</summary>
    private Reply HandledMeanwhile(PendingAction current) =>
        current.Status == ActionStatus.Expired ? ActionReplies.Expired(current, _confirmation.TimeToLive) : AlreadyHandled(current);

    private static Reply AlreadyHandled(PendingAction action)
    {
        var who = action.DecidedByName is { } by ? $" by {by}" : "";
        var when = action.DecidedAt is { } at ? $" at {Format.At(at)}" : "";
        var what = action.Status switch
        {
            ActionStatus.Confirmed => "is being executed, confirmed",
            ActionStatus.Executed => "was already executed, confirmed",
            ActionStatus.Failed => "already failed, confirmed",
            ActionStatus.Aborted => "was already aborted",
            ActionStatus.Expired => "has expired",
            ActionStatus.OutcomeUnknown => "ended with an unknown outcome, confirmed",
            _ => "was already handled",
        };
        return Refusal($"Already handled: this {action.Kind.Name()} {what}{who}{when}.", "Nothing more was done.");
    }

    private static Reply Refusal(string title, string note) => new()
    {
        Kind = ReplyKind.Error,
        Visibility = Visibility.Requester,
        Title = title,
        Notes = note.Length == 0 ? [] : [note],
    };

    private async Task Audit(AuditEntry entry, CancellationToken ct)
    {
        try
        {
            await auditLog.WriteAsync(entry, ct);
        }
        catch (StateStoreUnavailableException ex)
        {
            // A refused click changes nothing; losing its record is logged, not fatal.
            ActionLog.RefusalNotAudited(log, ex.Message);
        }
    }

    private static AuditEntry Refused(ButtonClick click, PendingAction action, string reason) =>
        Decision(click, action, AuditEvents.Refused) with { Outcome = reason };

    private static AuditEntry Decision(ButtonClick click, PendingAction action, string @event) =>
        AuditEntry.For(click, @event) with
        {
            Target = action.Target,
            Verb = action.Kind == ActionKind.Cancel ? "cancel" : "kill",
            Command = action.Command,
            ActionId = action.Id,
            Thread = action.Thread,
        };

    private static AuditEntry OutcomeUnknown(PendingAction a) =>
        new(AuditEvents.OutcomeUnknown, a.Platform, a.Workspace, a.Channel, "pgchatops", "PgChatOps")
        {
            Thread = a.Thread,
            Target = a.Target,
            Verb = a.Kind == ActionKind.Cancel ? "cancel" : "kill",
            Command = a.Command,
            ActionId = a.Id,
            Outcome = "unknown",
            Detail = new
            {
                reason = "confirmed, but no result was recorded: the replica executing it stopped",
                confirmed_by = a.DecidedByName,
                confirmed_at = a.DecidedAt?.ToString("O", CultureInfo.InvariantCulture),
                sessions = a.Actionable.Select(p => new { p.Pid, p.BackendStart }),
            },
        };

    /// <summary>
    /// Ends a pending action before its time, recorded as expired with the reason: its buttons were replaced or its
    /// alert resolved. A later click on it gets the expired outcome; nothing is signalled.
    /// </summary>
    public async Task<bool> WithdrawAsync(Guid id, string reason, CancellationToken ct) =>
        await store.WithdrawAsync(id, await store.NowAsync(ct), a => Expired(a) with
        {
            Detail = new { requested_by = a.RequestedByName, expires_at = a.ExpiresAt.ToString("O", CultureInfo.InvariantCulture), withdrawn = reason },
        }, ct);

    private static AuditEntry Expired(PendingAction a) =>
        new(AuditEvents.Expired, a.Platform, a.Workspace, a.Channel, "pgchatops", "PgChatOps")
        {
            Thread = a.Thread,
            Target = a.Target,
            Verb = a.Kind == ActionKind.Cancel ? "cancel" : "kill",
            Command = a.Command,
            ActionId = a.Id,
            Detail = new { requested_by = a.RequestedByName, expires_at = a.ExpiresAt.ToString("O", CultureInfo.InvariantCulture) },
        };
}
