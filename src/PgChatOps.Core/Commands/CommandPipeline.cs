using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.Replies;
using PgChatOps.Snapshots;

namespace PgChatOps.Commands;

/// <summary>
/// The one way through the core: parse, check access, run, audit, reply. Adapters call
/// <see cref="HandleAsync"/> for commands, <see cref="HandleClickAsync"/> for confirmation buttons and
/// <see cref="HandleCsvClickAsync"/> for "Whole list as CSV"; nothing else.
/// </summary>
public sealed class CommandPipeline(
    TargetRegistry targets,
    ActivityReader reader,
    AccessPolicy access,
    ActionService actions,
    AuditLog audit,
    ProtectionPolicy protection,
    IOptions<PgChatOpsOptions> options,
    TimeProvider time,
    ILogger<CommandPipeline> log,
    PgChatOpsMetrics metrics,
    SeenRequests seen,
    SessionSnapshot snapshots,
    PendingActionStore actionStore,
    Watch.WatchDesk? watch = null)
{
    private readonly MonitoringOptions _monitoring = options.Value.Monitoring;

    private int _verifying;

    public async Task<Reply> HandleAsync(ChatRequest request, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return metrics.Command(request, await HandleCoreAsync(request, ct), System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return metrics.Command(request, Unexpected(ex), System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    public async Task<Reply> HandleClickAsync(ButtonClick click, CancellationToken ct)
    {
        try
        {
            if (click.DeliveryId is { } deliveryId && await IsReplayAsync(click.Platform, deliveryId, ct))
            {
                await AuditQuietlyAsync(AuditEntry.For(click, AuditEvents.Replayed) with { ActionId = click.ActionId, Detail = new { deliveryId } }, ct);
                return Replayed(deliveryId);
            }
            return await actions.DecideAsync(click, ct);
        }
        catch (StateStoreUnavailableException ex)
        {
            PipelineLog.ClickRefused(log, ex.Message);
            return Reply.Error($"Nothing was done: {ex.Message}.", "PgChatOps never acts without writing its audit record first. Try again when the state store is back.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Unexpected(ex);
        }
    }

    /// <summary>
    /// A click on "Whole list as CSV" (<see cref="WholeListButton"/>): <paramref name="click"/> is the clicker, where
    /// they clicked, and the button's value as <see cref="ChatRequest.Text"/>. The value is only a command: it runs
    /// again as the clicker, through the normal parser, access rules and audit, exactly as if they had typed it with
    /// <c>csv</c>; only the file and one line come back. A value that is not a sessions command naming its target
    /// gets an error for the clicker and never a file.
    /// </summary>
    public async Task<Reply> HandleCsvClickAsync(ChatRequest click, CancellationToken ct)
    {
        var parsed = CommandParser.Parse(click.Text);
        if (!parsed.IsSuccess || parsed.Command!.Verb != Verb.Sessions || parsed.Command.Target is null)
        {
            await AuditQuietlyAsync(AuditEntry.For(click, AuditEvents.Invalid) with
            {
                Command = Format.Truncate(click.Text, 500), Detail = new { error = "not a whole-list button" },
            }, ct);
            return Reply.Error("This \"Whole list as CSV\" button is not one PgChatOps made: no file was attached.",
                $"Type `{CommandGrammar.Prefix} sessions … {CommandGrammar.SessionsCsv}` to get a whole list.");
        }
        var command = parsed.Command;
        var reply = await HandleAsync(click with { Text = command.Csv ? command.Text : $"{command.Text} {CommandGrammar.SessionsCsv}" }, ct);
        if (reply.Kind != ReplyKind.Info)
        {
            return reply;
        }
        if (reply.Files.Count == 0)
        {
            return Reply.Error("No file was attached.", reply.Notes.LastOrDefault(n => n.StartsWith("The whole list", StringComparison.Ordinal))
                ?? "No session matches any more.");
        }
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"Whole list as CSV, asked for by {click.User.DisplayName}",
            Context = reply.Context,
            // The file's line, and a warning when the read could not be recorded; not the list's own notes.
            Notes = reply.Notes.Where(n => n.StartsWith("All ", StringComparison.Ordinal) || n.StartsWith('⚠')).ToList(),
            Files = reply.Files,
        };
    }

    private Reply Unexpected(Exception ex)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        PipelineLog.Unexpected(log, ex, id);
        return Reply.Error($"Something went wrong inside PgChatOps (error {id}, in its log).", "Nothing more was done.");
    }

    private async Task<Reply> HandleCoreAsync(ChatRequest request, CancellationToken ct)
    {
        if (request.DeliveryId is { } deliveryId && await IsReplayAsync(request.Platform, deliveryId, ct))
        {
            await AuditQuietlyAsync(AuditEntry.For(request, AuditEvents.Replayed) with { Command = Format.Truncate(request.Text, 500), Detail = new { deliveryId } }, ct);
            return Replayed(deliveryId);
        }

        var parsed = CommandParser.Parse(request.Text);
        if (!parsed.IsSuccess)
        {
            await AuditQuietlyAsync(AuditEntry.For(request, AuditEvents.Invalid) with { Command = Format.Truncate(request.Text, 500), Detail = new { error = parsed.Error } }, ct);
            var reply = Reply.Error(parsed.Error!);
            return parsed.ShowHelp ? reply with { Notes = [.. reply.Notes, "Type `/pg help` for every verb and filter."] } : reply;
        }

        var command = parsed.Command!;
        if (command.Verb == Verb.Help)
        {
            var help = Replies.Replies.Help(command.HelpTopic);
            return command.HelpTopic is null ? help with { Fields = [YoursHere(request), .. help.Fields] } : help;
        }
        if (command.Verb == Verb.Targets)
        {
            return await WithAuditAsync(request, command, null, () => TargetsAsync(request, ct), ct);
        }

        if (command.Verb == Verb.Watch || (command.Verb == Verb.Summary && Watch.WatchDesk.IsPattern(command.Target)))
        {
            return await WithAuditAsync(request, command, null, () => WatchVerbAsync(request, command, ct), ct);
        }

        var target = command.Target ?? targets.DefaultTarget;
        if (target is null || !targets.Contains(target))
        {
            var visible = VisibleTargets(request).ToList();
            await AuditQuietlyAsync(AuditEntry.For(request, AuditEvents.Invalid) with { Command = command.Text, Target = target, Detail = new { error = "unknown target" } }, ct);
            return Reply.Error(
                target is null ? "No target is configured: set PgChatOps:Targets:<name>:ConnectionString." : $"Unknown target '{CommandParser.Clip(target)}'.",
                visible.Count == 0 ? "No target is available in this channel." : $"Targets here: {string.Join(", ", visible)} (e.g. target={visible[0]}).");
        }
        target = targets.Canonical(target);

        if (!access.IsAllowed(request.Place, request.User, target, command.Class))
        {
            var permission = CommandGrammar.ClassName(command.Class);
            try
            {
                await audit.WriteAsync(AuditEntry.For(request, AuditEvents.Denied) with
                {
                    Target = target, Verb = Name(command.Verb), Command = command.Text, Outcome = "missing_" + permission,
                }, ct);
            }
            catch (StateStoreUnavailableException ex)
            {
                PipelineLog.DenialNotAudited(log, ex.Message);
            }
            return new Reply
            {
                Kind = ReplyKind.Denied,
                Visibility = Visibility.Requester,
                Title = $"Not allowed: {Name(command.Verb)} needs the '{permission}' permission on {target} in this channel, and you do not have it.",
                Notes = [request.Platform == Platform.Console
                    ? $"A rule with Platform console grants it: PgChatOps:Access:Rules:<i>:Platform=console, :Channels=console, :Users={request.User.Id}, :Allow={permission} (and :Targets={target} to limit it)."
                    : "Ask whoever runs PgChatOps for your team to grant it (PgChatOps:Access:Rules)."],
            };
        }

        if (command.Filter.QueryContains is not null && !targets.Options(target).ShowQueryText)
        {
            // Matching on hidden text answers "does it contain X?": enough questions read it out character by character.
            await AuditQuietlyAsync(AuditEntry.For(request, AuditEvents.Denied) with
            {
                Target = target, Verb = Name(command.Verb), Command = command.Text, Outcome = "query_text_hidden",
            }, ct);
            return Reply.Error(
                $"query~ cannot be used on {target}: its query text is hidden (Targets:{target}:ShowQueryText is false), and matching on it would reveal it.",
                "Filter by user=, db=, app=, state= or longer= instead.");
        }

        if (command.Verb == Verb.Snapshot)
        {
            return await SnapshotAsync(request, command, target, ct);
        }
        if (command.Verb is Verb.Cancel or Verb.Kill)
        {
            return await GuardAsync(target, () => OnceMoreIfLostAsync(target, () => actions.PreviewAsync(request, command, target, ct)));
        }
        return await WithAuditAsync(request, command, target, () => OnceMoreIfLostAsync(target, () => ReadAsync(request, command, target, ct)), ct);
    }

    private async Task<Reply> ReadAsync(ChatRequest request, Command command, string target, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        switch (command.Verb)
        {
            case Verb.Sessions:
                var page = await reader.ListAsync(target, command.Filter, command.Sort, command.Limit ?? _monitoring.DefaultRows, ct);
                return await WithWholeListAsync(target, command, page, Replies.Replies.Sessions(target, command, page, now), ct);
            case Verb.Summary:
                return Replies.Replies.Summary(target, await reader.SummarizeAsync(target, ct), now);
            case Verb.Blocking:
                return Replies.Replies.Blocking(target, await reader.BlockingAsync(target, ct), now);
            case Verb.Show:
                var detail = await reader.ShowAsync(target, command.Pid!.Value, 100_000, ct);
                return detail is null
                    ? Reply.Error($"No session with pid {command.Pid} on {target}.", "It may have ended; `/pg sessions` lists the current ones.")
                    : Replies.Replies.Show(target, detail, protection, now, targets.Options(target).ShowQueryText);
            case Verb.Audit when command.Verify:
                // One walk of the log at a time: it holds a state-store connection for up to a minute, and the pool
                // is what every preview and confirmation needs.
                if (Interlocked.CompareExchange(ref _verifying, 1, 0) != 0)
                {
                    return Reply.Error("An audit verification is already running here: its answer comes first.",
                        "Ask again when it has answered; one walk of the log runs at a time.");
                }
                try
                {
                    return Replies.Replies.AuditChain(await audit.VerifyChainAsync(ct), now);
                }
                finally
                {
                    Volatile.Write(ref _verifying, 0);
                }
            case Verb.History:
                return watch is null
                    ? Reply.Error("History is not recorded here: the watch is not part of this PgChatOps.")
                    : await watch.HistoryAsync(target, command.Window ?? Charts.HistoryWindow.OneHour, ct);
            case Verb.Audit:
                // Only actions on targets this person may view here: the audit log spans every channel and target. A
                // target= was checked like any other target above.
                var scope = command.Target is null ? VisibleTargets(request).ToList() : [target];
                var since = command.Audit.SinceDate
                    ?? (command.Audit.SinceAgo is { } ago ? await actionStore.NowAsync(ct) - ago : null);
                var found = await audit.ActionsAsync(scope, command.Last ?? 10, command.Pid, command.Audit, since, ct);
                return AuditReplies.Actions(found, command, now);
            default:
                throw new InvalidOperationException($"{command.Verb} is not a read verb.");
        }
    }

    /// <summary><c>/pg watch</c> and the fleet view: only targets the asker may view here.</summary>
    private async Task<Reply> WatchVerbAsync(ChatRequest request, Command command, CancellationToken ct)
    {
        if (watch is null)
        {
            return Reply.Error("The watch is not part of this PgChatOps.");
        }
        var visible = VisibleTargets(request).ToList();
        if (visible.Count == 0)
        {
            return new Reply
            {
                Kind = ReplyKind.Denied,
                Visibility = Visibility.Requester,
                Title = $"Not allowed: {Name(command.Verb)} needs the 'view' permission on a target in this channel, and you have it on none.",
                Notes = ["Ask whoever runs PgChatOps for your team to grant it (PgChatOps:Access:Rules)."],
            };
        }
        return command.Verb == Verb.Watch
            ? await watch.ListAsync(visible, ct)
            : await watch.FleetAsync(command.Target!, visible.Where(t => Watch.WatchDesk.Matches(command.Target!, t)).ToList(), ct);
    }

    /// <summary>
    /// A list that hides rows gets every matching session as a CSV file when asked (<c>csv</c>) or when it hides
    /// more than <see cref="SnapshotReplies.AttachAboveHiddenRows"/>; otherwise a line on how to ask. The list is
    /// still shown when the file cannot be read.
    /// </summary>
    private async Task<Reply> WithWholeListAsync(string target, Command command, SessionPage page, Reply list, CancellationToken ct)
    {
        if (page.Total == 0 || (!command.Csv && page.Total - page.Rows.Count <= SnapshotReplies.AttachAboveHiddenRows))
        {
            return SnapshotReplies.WithWholeList(list, target, command, null, page.Total, page.Rows.Count);
        }
        try
        {
            var file = await snapshots.TakeAsync(target, command.Filter, ct);
            return SnapshotReplies.WithWholeList(list, target, command, file, page.Total, page.Rows.Count);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            PipelineLog.WholeListFailed(log, target, DatabaseErrors.Cause(ex, _monitoring.StatementTimeout));
            return list with { Notes = [.. list.Notes, $"The whole list could not be attached: {DatabaseErrors.ForTarget(target, ex, _monitoring.StatementTimeout)}"] };
        }
    }

    /// <summary>
    /// Every client session as a CSV file, with a short header. Its audit entry is its own (<see cref="AuditEvents.Snapshot"/>)
    /// and records the file's SHA-256; like a read, the snapshot is still shown, with a warning, when that record fails.
    /// </summary>
    private async Task<Reply> SnapshotAsync(ChatRequest request, Command command, string target, CancellationToken ct)
    {
        SnapshotFile? file = null;
        var reply = await GuardAsync(target, async () =>
        {
            file = await OnceMoreIfLostAsync(target, () => snapshots.TakeAsync(target, null, ct));
            return SnapshotReplies.Snapshot(target, command, file, time.GetUtcNow());
        });
        var entry = AuditEntry.For(request, AuditEvents.Snapshot) with
        {
            Target = target,
            Verb = Name(command.Verb),
            Command = command.Text,
            Outcome = file is null ? "failed" : "written",
            Detail = file is null
                ? new { error = reply.Title }
                : new
                {
                    file = file.Summary.FileName,
                    bytes = file.Content.Length,
                    sessions = file.Summary.Sessions,
                    taken_at = file.Summary.TakenAt,
                    sha256 = file.Sha256,
                },
        };
        try
        {
            await audit.WriteAsync(entry, ct);
        }
        catch (StateStoreUnavailableException ex)
        {
            PipelineLog.SnapshotNotAudited(log, ex.Message);
            reply = reply with { Notes = [.. reply.Notes, $"⚠ Not recorded: {ex.Message}."] };
        }
        return reply;
    }

    private async Task<Reply> TargetsAsync(ChatRequest request, CancellationToken ct)
    {
        var names = VisibleTargets(request).ToList();
        var checks = names.Select(async name =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                var version = await OnceMoreIfLostAsync(name, () => reader.VersionAsync(name, timeout.Token));
                return (name, string.Equals(name, targets.DefaultTarget, StringComparison.OrdinalIgnoreCase), $"reachable, PostgreSQL {version}");
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                var cause = ex is OperationCanceledException
                    ? $"the server did not answer within 3 seconds [{PostgresErrorCodes.ConnectionFailure}]"
                    : DatabaseErrors.Cause(ex, _monitoring.StatementTimeout);
                return (name, string.Equals(name, targets.DefaultTarget, StringComparison.OrdinalIgnoreCase), $"unreachable: {cause}");
            }
        });
        return Replies.Replies.Targets(await Task.WhenAll(checks), time.GetUtcNow());
    }

    /// <summary>
    /// What this asker may do here, first in the help: the verbs each permission allows and the targets where the
    /// asker has it. Only the asker's own permissions, never the rules.
    /// </summary>
    private ReplyField YoursHere(ChatRequest request)
    {
        var parts = new List<string>();
        foreach (var verbClass in new[] { VerbClass.View, VerbClass.Cancel, VerbClass.Terminate })
        {
            var where = targets.Names.Where(t => access.IsAllowed(request.Place, request.User, t, verbClass)).ToList();
            if (where.Count > 0)
            {
                var verbs = CommandGrammar.Verbs.Where(v => v.Class == verbClass).Select(v => v.Name);
                parts.Add($"{string.Join(", ", verbs)} on {string.Join(", ", where)}");
            }
        }
        return new ReplyField("you may, here", parts.Count == 0
            ? "only help: nothing else is allowed for you in this channel (PgChatOps:Access:Rules)"
            : string.Join("; ", parts));
    }

    private IEnumerable<string> VisibleTargets(ChatRequest request) =>
        targets.Names.Where(t => access.IsAllowed(request.Place, request.User, t, VerbClass.View));

    /// <summary>
    /// Runs a read and writes its audit record at the same time. A read is still shown when only its audit
    /// record failed, with a visible warning: reads change nothing, and on-call needs them most when things break.
    /// </summary>
    private async Task<Reply> WithAuditAsync(ChatRequest request, Command command, string? target, Func<Task<Reply>> run, CancellationToken ct)
    {
        var auditTask = audit.WriteAsync(AuditEntry.For(request, AuditEvents.Request) with
        {
            Target = target, Verb = Name(command.Verb), Command = command.Text,
        }, ct);
        var reply = await GuardAsync(target, run);
        try
        {
            await auditTask;
        }
        catch (StateStoreUnavailableException ex)
        {
            PipelineLog.ReadNotAudited(log, ex.Message);
            reply = reply with { Notes = [.. reply.Notes, $"⚠ Not recorded: {ex.Message}."] };
        }
        return reply;
    }

    /// <summary>The one place where database errors become a clear message. Never an empty result.</summary>
    private async Task<Reply> GuardAsync(string? target, Func<Task<Reply>> run)
    {
        try
        {
            return await run();
        }
        catch (StateStoreUnavailableException ex)
        {
            PipelineLog.StateStoreUnavailable(log, ex.Message);
            return Reply.Error($"Nothing was done: {ex.Message}.", "PgChatOps never acts without writing its audit record first.");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            var sentence = DatabaseErrors.ForTarget(target ?? "the target", ex, _monitoring.StatementTimeout);
            PipelineLog.TargetFailed(log, target, sentence);
            metrics.DatabaseError(target);
            return Reply.Error(sentence,
                ex is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled }
                    ? "The server may be overloaded. Nothing was changed."
                    : "Nothing was changed. Check `/pg targets`, or try again.");
        }
    }

    /// <summary>
    /// Runs a read, and runs it once more on a fresh connection when the first broke under it, as a pooled
    /// connection does after the server restarted. Only reads come here: a signal is never repeated.
    /// </summary>
    private async Task<T> OnceMoreIfLostAsync<T>(string target, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (DatabaseErrors.IsLostConnection(ex))
        {
            PipelineLog.ReadingAgain(log, target, DatabaseErrors.Cause(ex));
            targets.Get(target).Clear();
            return await read();
        }
    }

    private async Task AuditQuietlyAsync(AuditEntry entry, CancellationToken ct)
    {
        try
        {
            await audit.WriteAsync(entry, ct);
        }
        catch (StateStoreUnavailableException ex)
        {
            PipelineLog.NotAudited(log, ex.Message);
        }
    }

    /// <summary>
    /// Whether another replica, or this one, already handled this delivery. When the state store cannot say, the
    /// request goes on: reads are harmless twice, and cancel and kill cannot proceed without the store anyway.
    /// </summary>
    private async Task<bool> IsReplayAsync(Platform platform, string deliveryId, CancellationToken ct)
    {
        try
        {
            return !await seen.FirstTimeAsync(platform, deliveryId, ct);
        }
        catch (StateStoreUnavailableException ex)
        {
            PipelineLog.ReplayCheckFailed(log, ex.Message);
            return false;
        }
    }

    private static Reply Replayed(string deliveryId) => Reply.Error(
        $"Already handled: this exact request (delivery {CommandParser.Clip(deliveryId)}) reached PgChatOps before, and runs only once. Nothing more was done.",
        "To run the command again, type it again.");

    private static string Name(Verb verb) => verb.ToString().ToLowerInvariant();
}
