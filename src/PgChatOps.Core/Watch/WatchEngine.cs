using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Replies;

namespace PgChatOps.Watch;

/// <summary>
/// The watch: while this replica holds the leader lease, samples each target that has rules (one statement, at most
/// one in flight per target, bounded parallelism, a per-target timeout), turns the sample into incidents in the state
/// store and alerts through <see cref="IAlertSink"/>, and records history. Platform-neutral; driven by
/// <see cref="WatchService"/> or, in tests, by <see cref="RunOnceAsync"/>.
/// </summary>
public sealed class WatchEngine : IDisposable
{
    private readonly WatchSampler _sampler;
    private readonly IncidentStore _incidents;
    private readonly WatchLease _lease;
    private readonly WatchHistory _history;
    private readonly IAlertSink _sink;
    private readonly AlertFixes _fixes;
    private readonly WatchMetrics _metrics;
    private readonly WatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WatchEngine> _log;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, TargetWatch> _targets = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;
    private bool _unwatchedPending;
    private volatile bool _leading;

    public WatchEngine(
        WatchSampler sampler,
        IncidentStore incidents,
        WatchLease lease,
        WatchHistory history,
        IAlertSink sink,
        AlertFixes fixes,
        WatchMetrics metrics,
        IOptions<WatchOptions> options,
        TimeProvider time,
        ILogger<WatchEngine> log)
    {
        (_sampler, _incidents, _lease, _history, _sink, _fixes, _metrics, _options, _time, _log) =
            (sampler, incidents, lease, history, sink, fixes, metrics, options.Value, time, log);
        var targetNames = sampler.Targets.ToList();
        Rules = WatchRules.Parse(_options, targetNames).Rules;
        _slots = new SemaphoreSlim(_options.MaxParallelTargets);
        foreach (var target in targetNames)
        {
            var rules = Rules.Where(r => r.AppliesTo(target)).ToList();
            if (rules.Count > 0)
            {
                _targets[target] = new TargetWatch(target, rules, rules.Min(r => r.Interval), SampleNeeds.For(rules)) { AnsweredAt = time.GetUtcNow() };
            }
        }
    }

    /// <summary>This engine's name in the leader lease: unique per process start.</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public IReadOnlyList<WatchRule> Rules { get; }

    public bool IsLeader => _leading;

    /// <summary>How often the loop wakes: often enough for the shortest rule interval and to renew the lease well in time.</summary>
    public TimeSpan TickInterval
    {
        get
        {
            var shortest = Rules.Count == 0 ? TimeSpan.FromSeconds(30) : Rules.Min(r => r.Interval);
            var renew = _options.LeaseTimeToLive / 3;
            return TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, Math.Min(shortest.Ticks, renew.Ticks)));
        }
    }

    /// <summary>
    /// One turn of the loop: renew (or try to take) the lease; if leading, start the sample of every target that is due
    /// and not still busy, without waiting for it. A busy target's turn is skipped and counted, never queued.
    /// </summary>
    public async Task TickAsync(CancellationToken ct)
    {
        if (!await LeadAsync(ct))
        {
            return;
        }
        await PruneIfDueAsync(ct);
        await ResolveUnwatchedAsync(ct);
        var now = _time.GetUtcNow();
        foreach (var t in _targets.Values)
        {
            if (now < t.NextDue)
            {
                continue;
            }
            t.NextDue = now + t.Interval;
            _ = TryStart(t, ct);
        }
    }

    /// <summary>
    /// Samples every watched target once and waits for all of them (tests and <c>/pg watch</c>-style checks).
    /// False when another replica leads.
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        if (!await LeadAsync(ct))
        {
            return false;
        }
        await PruneIfDueAsync(ct);
        await ResolveUnwatchedAsync(ct);
        var started = _targets.Values.Select(t => TryStart(t, ct)).OfType<Task>().ToList();
        await Task.WhenAll(started);
        return true;
    }

    /// <summary>Silences an open incident for <see cref="WatchOptions.SnoozeFor"/> (the <c>pgchatops.snooze</c> button); null when it is not open.</summary>
    public async Task<Alert?> SnoozeAsync(Guid alertId, string by, CancellationToken ct)
    {
        var incident = await _incidents.SnoozeAsync(alertId, by, _time.GetUtcNow() + _options.SnoozeFor, ct);
        if (incident is null)
        {
            return null;
        }
        _log.Snoozed(incident.Id, incident.Rule, incident.Target, incident.SnoozedUntil ?? _time.GetUtcNow());
        if (incident.MessageRef is { } messageRef)
        {
            try
            {
                await _sink.UpdateAsync(messageRef, incident.Alert, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The snooze is recorded; the message shows it at the next change the platform accepts.
                _log.SinkFailed("snooze", incident.Id, incident.Rule, incident.Target, ex.Message);
            }
        }
        return incident.Alert;
    }

    /// <summary>
    /// What <c>/pg watch</c> shows: the rules, who leads, the open incidents (from the state store, so any replica
    /// answers the same) and, on the leader, each target's sampling health.
    /// </summary>
    public async Task<WatchListing> ListAsync(CancellationToken ct)
    {
        var lease = await _lease.CurrentAsync(ct);
        var open = await _incidents.ListOpenAsync(null, ct);
        var rules = Rules
            .Select(r => new WatchRuleStatus(r, open.Where(i => i.Rule == r.Name).ToList()))
            .ToList();
        return new WatchListing(lease?.Holder, lease?.Holder == Holder, rules, open, TargetStatus());
    }

    /// <summary>This replica's view of each watched target's sampling (meaningful on the leader).</summary>
    public IReadOnlyList<TargetWatchStatus> TargetStatus() =>
        [.. _targets.Values
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new TargetWatchStatus(t.Name, t.LastSampleAt, t.LastDuration, t.LastError, t.Samples, t.Skipped, t.InFlightSince is not null))];

    /// <summary>Stops leading: waits briefly for samples in flight, then gives the lease up so another replica takes over at once.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        var wasLeading = _leading;
        _leading = false;
        _metrics.ClearFiring();
        var running = _targets.Values.SelectMany(t => new[] { t.Running, t.Reporting }).OfType<Task>().ToList();
        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5), _time, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or NpgsqlException)
        {
            // Shutting down: a hung target must not hold the process.
        }
        if (wasLeading)
        {
            // Best effort: a lease that cannot be given up now simply expires, and another replica takes over then.
            try
            {
                await _lease.ReleaseAsync(Holder, ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or OperationCanceledException or TimeoutException)
            {
                _log.LeaseFailed(ex.Message);
            }
        }
    }

    private async Task<bool> LeadAsync(CancellationToken ct)
    {
        bool leading;
        try
        {
            leading = await _lease.TryAcquireAsync(Holder, _options.LeaseTimeToLive, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
        {
            _log.LeaseFailed(DatabaseErrors.Cause(ex));
            leading = false;
        }
        if (leading != _leading)
        {
            if (leading)
            {
                _log.BecameLeader(Holder);
                _unwatchedPending = true;
                foreach (var t in _targets.Values)
                {
                    t.NextDue = DateTimeOffset.MinValue;
                    // A new leader counts "not answering" from now: what it did not see, it does not claim.
                    t.AnsweredAt = _time.GetUtcNow();
                    t.FailingWith = null;
                    t.FailedTurns = 0;
                }
            }
            else
            {
                _log.LostLeadership(Holder);
                _metrics.ClearFiring();
            }
            _leading = leading;
        }
        return leading;
    }

    /// <summary>Starts a sample unless the target's previous one is still running; returns it, or null when skipped.</summary>
    private Task? TryStart(TargetWatch t, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        lock (t)
        {
            if (t.InFlightSince is { } since)
            {
                t.Skipped++;
                _metrics.Skipped(t.Name);
                _log.SampleSkipped(t.Name, now - since);
                if (t.FailingWith is not null)
                {
                    // A hung target's sample outlived its timeout and still holds the turn: its silence is news too.
                    t.FailedTurns++;
                    if (t.Reporting is not { IsCompleted: false })
                    {
                        t.Reporting = Task.Run(() => NotAnsweringAsync(t, ct), CancellationToken.None);
                    }
                }
                return null;
            }
            t.InFlightSince = now;
            t.Running = Task.Run(() => SampleAndApplyAsync(t, ct), CancellationToken.None);
            return t.Running;
        }
    }

    private async Task SampleAndApplyAsync(TargetWatch t, CancellationToken ct)
    {
        CancellationTokenSource? cts = null;
        Task<TargetSample>? work = null;
        TargetSample? sample = null;
        var failed = false;
        try
        {
            var slotTaken = false;
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Waiting for a free slot is this replica's queue, not the target's silence: the timeout starts when
                // the target is asked.
                await _slots.WaitAsync(ct);
                slotTaken = true;
                cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(_options.SampleTimeout);
                started = Stopwatch.GetTimestamp();
                work = _sampler.SampleAsync(t.Name, t.Needs, cts.Token);
                sample = await work.WaitAsync(_options.SampleTimeout, _time, ct);
                Record(t, "ok", Stopwatch.GetElapsedTime(started), null);
            }
            catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                Record(t, "timeout", Stopwatch.GetElapsedTime(started), $"did not answer within {Format.Duration(_options.SampleTimeout)}");
                _log.SampleTimedOut(t.Name, _options.SampleTimeout);
                failed = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever went wrong with this target stays with it: logged and counted, never the loop's end.
                var error = DatabaseErrors.Cause(ex);
                Record(t, "error", Stopwatch.GetElapsedTime(started), error);
                _log.SampleFailed(t.Name, error);
                failed = true;
            }
            catch (OperationCanceledException)
            {
                // Shutting down.
            }
            finally
            {
                if (slotTaken)
                {
                    _slots.Release();
                }
            }
            // Incidents and chat come after the slot is free: a slow chat API never holds up another target's sample.
            try
            {
                if (sample is not null && _leading)
                {
                    await ApplyAsync(t, sample, ct);
                }
                else if (failed)
                {
                    await NotAnsweringAsync(t, ct);
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Never the loop's end (a chat API's own timeout arrives as a cancellation too): logged with the
                // target, and the next sample tries again.
                _log.StateStoreFailed(t.Name, ex.GetType().Name + ": " + ex.Message);
            }
            catch (OperationCanceledException)
            {
                // Shutting down.
            }
        }
        finally
        {
            // The target stays busy until the statement itself has ended (and its outcome is applied), so a hung
            // target is never sampled twice at once and samples are applied in order.
            _ = FinishAsync(t, work, cts);
        }
    }

    private static async Task FinishAsync(TargetWatch t, Task? work, CancellationTokenSource? cts)
    {
        if (work is not null)
        {
            try
            {
                await work;
            }
            catch (Exception)
            {
                // Its outcome was recorded already (or it outlived its timeout, which was recorded).
            }
        }
        cts?.Dispose();
        lock (t)
        {
            t.InFlightSince = null;
        }
    }

    private void Record(TargetWatch t, string outcome, TimeSpan elapsed, string? error)
    {
        _metrics.Sampled(t.Name, outcome, elapsed);
        t.Samples++;
        t.LastSampleAt = _time.GetUtcNow();
        t.LastDuration = elapsed;
        t.LastError = error;
        if (outcome == "ok")
        {
            t.AnsweredAt = t.LastSampleAt.Value;
            t.FailingWith = null;
            t.FailedTurns = 0;
        }
        else
        {
            t.FailingWith = error;
            t.FailedTurns++;
        }
    }

    /// <summary>
    /// A target that has not answered for <see cref="WatchOptions.UnreachableAfter"/> (and at least two turns in a row)
    /// gets one alert in each channel its rules post to (under the first rule there), updated when the reason changes
    /// and resolved by the first sample it answers. Nothing to fix, so no buttons but Snooze. Needs the state store to
    /// answer (it lives elsewhere in production). Never throws: it runs from the sample's turn and from skipped turns.
    /// </summary>
    private async Task NotAnsweringAsync(TargetWatch t, CancellationToken ct)
    {
        if (!_leading || _options.UnreachableAfter <= TimeSpan.Zero || t.FailingWith is null || ct.IsCancellationRequested)
        {
            return;
        }
        try
        {
            if (!await t.Applying.WaitAsync(0, ct))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }
        try
        {
            var now = _time.GetUtcNow();
            // Read again under the gate: a sample that answered meanwhile has the last word.
            if (t.FailingWith is not { } error || t.FailedTurns < 2 || now - t.AnsweredAt < _options.UnreachableAfter)
            {
                return;
            }
            // One alert per channel, found by its channel: renamed or reordered rules continue it, and a channel that no
            // rule on this target posts to any more has its alert resolved.
            var channels = t.Rules.GroupBy(r => ChannelKey(r.Platform, r.Channel)).ToList();
            var open = (await _incidents.ListOpenAsync(t.Name, ct))
                .Where(i => i.Cause == WatchFinding.NotAnsweringCause)
                .ToList();
            foreach (var stale in open.Where(i => channels.All(g => g.Key != ChannelKey(i.Alert.Platform, i.Alert.Channel))).ToList())
            {
                open.Remove(stale);
                await ResolveAsync(stale, now, ct, $"No rule on {t.Name} posts here any more: {stale.Alert.Title}");
            }
            foreach (var channel in channels)
            {
                var incident = open.FirstOrDefault(i => ChannelKey(i.Alert.Platform, i.Alert.Channel) == channel.Key);
                // A new leader starts counting afresh; the alert keeps the earliest moment anyone saw the silence begin.
                var since = incident?.Alert.NotAnswering?.Since is { } earlier && earlier < t.AnsweredAt ? earlier : t.AnsweredAt;
                var finding = WatchFinding.NotAnsweringFor(channel.First(), t.Name, error, since);
                if (incident is null)
                {
                    await OpenAsync(finding, now, ct);
                }
                else
                {
                    await ContinueAsync(incident, finding, now, ct);
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
        {
            _log.StateStoreFailed(t.Name, DatabaseErrors.Cause(ex));
        }
        catch (Exception ex) when (ex is ObjectDisposedException || ct.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            // Anything else (a chat API's own timeout arrives as a cancellation): logged, and the next turn tries again.
            _log.StateStoreFailed(t.Name, ex.GetType().Name + ": " + ex.Message);
        }
        finally
        {
            t.Applying.Release();
        }
    }

    private static (string Platform, string Channel) ChannelKey(string platform, string channel) => (platform.ToLowerInvariant(), channel);

    private async Task ApplyAsync(TargetWatch t, TargetSample sample, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var findings = t.Rules.SelectMany(r => WatchEvaluator.Evaluate(r, sample)).ToList();
        await t.Applying.WaitAsync(ct);
        try
        {
            var open = (await _incidents.ListOpenAsync(t.Name, ct)).ToDictionary(i => (i.Rule, i.Cause));
            foreach (var finding in findings)
            {
                if (open.Remove((finding.Rule.Name, finding.Cause), out var incident))
                {
                    await ContinueAsync(incident, finding, now, ct);
                }
                else
                {
                    await OpenAsync(finding, now, ct);
                }
            }
            foreach (var incident in open.Values)
            {
                await ResolveAsync(incident, now, ct);
            }
            await _history.WriteAsync(sample, now, ct);
            _metrics.Firing(t.Name, t.Rules.Select(r => r.Name), findings.Select(f => f.Rule.Name).ToList());
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
        {
            _log.StateStoreFailed(t.Name, DatabaseErrors.Cause(ex));
        }
        finally
        {
            t.Applying.Release();
        }
    }

    private async Task OpenAsync(WatchFinding finding, DateTimeOffset now, CancellationToken ct)
    {
        var alert = finding.ToAlert(Guid.NewGuid(), now);
        // A snooze outlives the incident it was clicked on: the same rule, target and cause firing again stays quiet.
        var snooze = await _incidents.SnoozedAsync(finding.Rule.Name, finding.Target, finding.Cause, now, ct);
        if (!await _incidents.TryOpenAsync(finding, alert, ct))
        {
            return; // Another replica opened it between our read and our insert: it posts it.
        }
        _metrics.Opened(finding.Rule.Name);
        _log.Opened(alert.Id, alert.Rule, alert.Target, finding.Cause);
        if (snooze is { } s)
        {
            await _incidents.SnoozeAsync(alert.Id, s.By, s.Until, ct);
            return;
        }
        // The fixes are pending actions only once this replica owns the incident: a lost race leaves none behind.
        alert = await WithFixesAsync(finding, alert, ct);
        await _incidents.UpdateAsync(alert.Id, alert, finding.Fingerprint, now, ct);
        await PostAsync(alert, ct);
    }

    private async Task PostAsync(Alert alert, CancellationToken ct)
    {
        string messageRef;
        try
        {
            messageRef = await _sink.OpenAsync(alert, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.SinkFailed("opening", alert.Id, alert.Rule, alert.Target, ex.Message);
            return;
        }
        await _incidents.SetMessageRefAsync(alert.Id, messageRef, ct);
    }

    private async Task ContinueAsync(Incident incident, WatchFinding finding, DateTimeOffset now, CancellationToken ct)
    {
        var alert = finding.ToAlert(incident.Id, incident.OpenedAt) with
        {
            SnoozedUntil = incident.SnoozedUntil,
            SnoozedBy = incident.SnoozedBy,
            FixActions = incident.Alert.FixActions,
            FixNotes = incident.Alert.FixNotes,
            FixesPreparedFor = incident.Alert.FixesPreparedFor,
        };
        var snoozed = incident.SnoozedUntil is { } until && until > now;
        if (snoozed)
        {
            // Muted: the state is kept, nothing is posted, and no fresh confirmations are made that nobody sees.
            if (incident.Fingerprint != finding.Fingerprint)
            {
                await _incidents.UpdateAsync(incident.Id, alert, finding.Fingerprint, now, ct);
            }
            return;
        }
        var snoozeEnded = incident.SnoozedUntil is not null;
        if (snoozeEnded)
        {
            await _incidents.SnoozeAsync(incident.Id, null, null, ct);
            alert = alert with { SnoozedUntil = null, SnoozedBy = null };
        }
        var fresh = _fixes.NeedsFresh(finding.Fixes, alert, now);
        if (fresh)
        {
            alert = await WithFixesAsync(finding, alert, ct);
        }
        if (incident.MessageRef is null)
        {
            // Recorded but never posted (the sink failed, the previous leader died in between, or a snooze ran out): post it now.
            await _incidents.UpdateAsync(incident.Id, alert, finding.Fingerprint, now, ct);
            await PostAsync(alert, ct);
            return;
        }
        if (incident.Fingerprint == finding.Fingerprint && !fresh && !snoozeEnded)
        {
            return;
        }
        await _incidents.UpdateAsync(incident.Id, alert, finding.Fingerprint, now, ct);
        try
        {
            await _sink.UpdateAsync(incident.MessageRef, alert, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.SinkFailed("update", incident.Id, incident.Rule, incident.Target, ex.Message);
        }
    }

    private async Task ResolveAsync(Incident incident, DateTimeOffset now, CancellationToken ct, string? title = null)
    {
        var resolved = incident.Alert with
        {
            Status = AlertStatus.Resolved,
            ResolvedAt = now,
            Title = title ?? (incident.Alert.NotAnswering is not null
                ? $"{incident.Target} answers again, after {Format.Duration(now - incident.Alert.NotAnswering.Since)} without an answer"
                : $"Resolved after {Format.Duration(now - incident.OpenedAt)}: {incident.Alert.Title}"),
            Fixes = [],
            FixActions = [],
            FixNotes = [],
        };
        if (!await _incidents.ResolveAsync(incident.Id, resolved, ct))
        {
            return;
        }
        await WithdrawAsync(incident.Alert.FixActions, "the incident resolved", ct);
        _log.Resolved(incident.Id, incident.Rule, incident.Target, now - incident.OpenedAt);
        if (incident.MessageRef is null)
        {
            return;
        }
        try
        {
            await _sink.ResolveAsync(incident.MessageRef, resolved, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.SinkFailed("resolution", incident.Id, incident.Rule, incident.Target, ex.Message);
        }
    }

    private async Task<Alert> WithFixesAsync(WatchFinding finding, Alert alert, CancellationToken ct)
    {
        var (actions, notes, failed) = await _fixes.PrepareAsync(finding.Rule, alert, finding.Fixes, ct);
        List<BackendIdentity> preparedFor = failed ? [] : [.. finding.Fixes.SelectMany(f => f.Sessions).Distinct()];
        // The buttons the message is about to lose must not stay live: an open dialog or a lagging client could still click them.
        await WithdrawAsync(alert.FixActions.Where(old => actions.All(a => a.ActionId != old.ActionId)), "replaced by fresh buttons", ct);
        return alert with { FixActions = actions, FixNotes = notes, FixesPreparedFor = preparedFor };
    }

    private async Task WithdrawAsync(IEnumerable<AlertFixAction> stale, string reason, CancellationToken ct)
    {
        foreach (var action in stale)
        {
            try
            {
                await _fixes.WithdrawAsync(action.ActionId, reason, ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
            {
                // It still expires by its own time; its click is bound to the sessions it showed.
                _log.SinkFailed("withdraw", action.ActionId, action.Label, reason, ex.Message);
            }
        }
    }

    /// <summary>
    /// Once per leadership: incidents left open on a target this replica does not watch (its rules or the target were
    /// removed, e.g. after a decommission) are marked resolved, since no sample will ever clear them.
    /// </summary>
    private async Task ResolveUnwatchedAsync(CancellationToken ct)
    {
        if (!_unwatchedPending)
        {
            return;
        }
        try
        {
            var now = _time.GetUtcNow();
            foreach (var incident in await _incidents.ListOpenAsync(null, ct))
            {
                if (!_targets.ContainsKey(incident.Target))
                {
                    await ResolveAsync(incident, now, ct, $"No longer watched (no rule on {incident.Target}): {incident.Alert.Title}");
                }
            }
            _unwatchedPending = false;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
        {
            _log.StateStoreFailed("(unwatched incidents)", DatabaseErrors.Cause(ex));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // A chat API that timed out (its own timeout arrives as a cancellation): tried again at the next tick.
            _log.StateStoreFailed("(unwatched incidents)", ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task PruneIfDueAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (now < _nextPrune)
        {
            return;
        }
        _nextPrune = now + TimeSpan.FromMinutes(1);
        var cutoff = now - _options.HistoryRetention;
        try
        {
            var rows = await _history.PruneAsync(cutoff, ct) + await _incidents.PruneResolvedAsync(cutoff, ct);
            if (rows > 0)
            {
                _log.Pruned(rows, cutoff);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException)
        {
            _log.StateStoreFailed("(history)", DatabaseErrors.Cause(ex));
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>One watched target: its rules and this replica's view of its sampling.</summary>
    private sealed class TargetWatch(string name, IReadOnlyList<WatchRule> rules, TimeSpan interval, SampleNeeds needs)
    {
        public string Name { get; } = name;
        public IReadOnlyList<WatchRule> Rules { get; } = rules;
        public TimeSpan Interval { get; } = interval;
        public SampleNeeds Needs { get; } = needs;
        public DateTimeOffset NextDue { get; set; } = DateTimeOffset.MinValue;
        public DateTimeOffset? InFlightSince { get; set; }
        public Task? Running { get; set; }
        public DateTimeOffset? LastSampleAt { get; set; }
        public TimeSpan? LastDuration { get; set; }
        public string? LastError { get; set; }
        public long Samples { get; set; }
        public long Skipped { get; set; }

        /// <summary>When the target last answered a sample, or when this replica began leading: where "not answering" counts from.</summary>
        public DateTimeOffset AnsweredAt { get; set; }

        /// <summary>Why the latest sample since <see cref="AnsweredAt"/> failed; null once the target answers.</summary>
        public string? FailingWith { get; set; }

        /// <summary>Turns in a row without an answer (failed or timed-out samples, and turns a hung sample still held).</summary>
        public int FailedTurns { get; set; }

        /// <summary>A "not answering" report started from a skipped turn, for <see cref="StopAsync"/> to wait for.</summary>
        public Task? Reporting { get; set; }

        /// <summary>One change of this target's incidents at a time: a sample's findings, or its not answering.</summary>
        public SemaphoreSlim Applying { get; } = new(1, 1);
    }
}
