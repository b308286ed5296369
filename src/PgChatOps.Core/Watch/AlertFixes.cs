using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Commands;
using PgChatOps.Hosting;

namespace PgChatOps.Watch;

/// <summary>
/// Turns an alert's suggested fixes into ordinary pending actions through <see cref="ActionService"/>: the same
/// preview, protection, audit ("confirmation"), expiry, channel binding and, at the click, the same approver check
/// as <c>/pg kill</c>. The requester is the watch rule (<see cref="Requester"/>), never a person: any allowed human
/// may approve. With <c>Access:RequireDistinctApprover</c> no fix is offered as a button (one click would be one
/// person's decision); the alert says which command to ask with, and someone else confirms it. Each
/// action may touch only the sessions the alert showed (by pid and backend_start), so a click never acts on a
/// backend the message did not name.
/// </summary>
public sealed class AlertFixes(ActionService actions, PendingActionStore store, IOptions<PgChatOpsOptions> options, ILogger<AlertFixes> log)
{
    private const string RequesterPrefix = "pgchatops:watch:";

    private readonly TimeSpan _timeToLive = options.Value.Confirmation.TimeToLive;
    private readonly bool _fourEyes = options.Value.Access.RequireDistinctApprover;

    /// <summary>Who asks for an alert's fixes: the rule. No chat user id has this form (Slack U…, Discord snowflakes, OS user names).</summary>
    public static ChatUser Requester(string rule) => new(RequesterPrefix + rule, $"watch rule {rule}", []);

    /// <summary>
    /// Whether the alert needs fresh fix buttons: a fix with a command has no action yet, an action covers other
    /// sessions than the fix now names, or its confirmation runs out within half its time to live.
    /// </summary>
    public bool NeedsFresh(IReadOnlyList<AlertFix> fixes, Alert alert, DateTimeOffset now)
    {
        foreach (var fix in fixes.Where(f => f.Command is not null))
        {
            var action = alert.FixActions.FirstOrDefault(a => a.Kind == fix.Kind);
            if (action is null)
            {
                if (alert.FixesPreparedFor.ToHashSet().SetEquals(fix.Sessions))
                {
                    continue; // tried for these very sessions, and nothing could be offered: not again every sample
                }
                return true;
            }
            // A new label too ("Terminate all 10" becomes "Terminate these 10" when more sessions join): the button says what it does.
            if (!(action.PreparedFor ?? action.Sessions).ToHashSet().SetEquals(fix.Sessions) || action.Label != fix.Label
                || action.ExpiresAt - now <= _timeToLive / 2)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Creates one pending action per fix; a fix that cannot be offered (sessions gone, protected, target down) becomes a note.</summary>
    /// <returns>The actions, notes for fixes without a button, and whether a failure (not a decision) left one out, to try again next sample.</returns>
    public async Task<(IReadOnlyList<AlertFixAction> Actions, IReadOnlyList<string> Notes, bool Failed)> PrepareAsync(
        WatchRule rule, Alert alert, IReadOnlyList<AlertFix> fixes, CancellationToken ct)
    {
        var prepared = new List<AlertFixAction>();
        var notes = new List<string>();
        var failed = false;
        if (PlatformOf(rule.Platform) is not { } platform)
        {
            return (prepared, notes, failed);
        }
        foreach (var fix in fixes)
        {
            if (fix.Command is null || CommandParser.Parse(fix.Command).Command is not { } command)
            {
                continue;
            }
            if (_fourEyes)
            {
                // The rule cannot be the first pair of eyes: a person asks, and another confirms, as for any action.
                notes.Add($"{fix.Label}: no one-click fix here, since every action needs two people (Access:RequireDistinctApprover). "
                    + $"Ask with `/pg {fix.Command}`, and someone else confirms.");
                continue;
            }
            var request = new ChatRequest(platform, PendingAction.AnyWorkspace, rule.Channel, null, Requester(rule.Name), fix.Command);
            try
            {
                var reply = await actions.PreviewAsync(request, command, alert.Target, fix.Sessions, ct);
                if (reply.ActionId is { } id && await store.FindAsync(id, ct) is { } action)
                {
                    var sessions = action.Actionable.Select(s => new BackendIdentity(s.Pid, s.BackendStart)).ToList();
                    prepared.Add(new AlertFixAction(fix.Kind, fix.Label, id, action.ExpiresAt, sessions) { PreparedFor = fix.Sessions });
                    var spared = action.Sessions.Where(s => s.ProtectedReason is not null).ToList();
                    if (spared.Count > 0)
                    {
                        notes.Add($"{fix.Label} leaves alone: " + string.Join("; ", spared.Select(s => $"{s.Pid} ({s.ProtectedReason})")) + ".");
                    }
                }
                else
                {
                    notes.Add($"{fix.Label}: not offered. {reply.Title}" + (reply.Notes.Count > 0 ? " " + string.Join(" ", reply.Notes) : ""));
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
            {
                var cause = DatabaseErrors.Cause(ex);
                log.FixFailed(fix.Label, alert.Id, cause);
                failed = true;
                notes.Add($"{fix.Label}: not offered, the preview failed ({cause}). Use `/pg {fix.Command}`.");
            }
        }
        return (prepared, notes, failed);
    }

    /// <summary>Ends a fix's pending action before its time (see <see cref="ActionService.WithdrawAsync"/>).</summary>
    public Task<bool> WithdrawAsync(Guid actionId, string reason, CancellationToken ct) => actions.WithdrawAsync(actionId, reason, ct);

    private static Platform? PlatformOf(string name) =>
        Enum.GetValues<Platform>().Select(p => (Platform?)p).FirstOrDefault(p => string.Equals(p!.Value.Name(), name, StringComparison.OrdinalIgnoreCase));
}
