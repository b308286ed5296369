using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Charts;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Watch;

/// <summary>
/// What people ask of the watch: <c>/pg watch</c>, <c>/pg history</c>, the fleet view (<c>/pg summary target=*</c>)
/// and the Snooze button. The pipeline decides who may see which targets; the snooze checks its clicker itself.
/// </summary>
public sealed class WatchDesk(
    WatchEngine engine,
    IncidentStore incidents,
    WatchHistory history,
    WatchSampler sampler,
    AccessPolicy access,
    AuditLog audit,
    IOptions<WatchOptions> options,
    TimeProvider time)
{
    /// <summary>How long one target of the fleet view may take before it is shown as not answering.</summary>
    public static readonly TimeSpan FleetTimeout = TimeSpan.FromSeconds(5);

    private const int FleetParallelism = 16;

    /// <summary><c>/pg watch</c>: the rules on targets the asker may view, their state, and the open incidents there.</summary>
    public async Task<Reply> ListAsync(IReadOnlyCollection<string> visibleTargets, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var listing = await engine.ListAsync(ct);
        bool Visible(string target) => visibleTargets.Contains(target, StringComparer.OrdinalIgnoreCase);
        var rules = listing.Rules.Where(r => r.Rule.Target == "*" ? visibleTargets.Count > 0 : Visible(r.Rule.Target)).ToList();
        var open = listing.OpenIncidents.Where(i => Visible(i.Target)).ToList();
        var rows = rules.Select(r =>
        {
            var mine = r.Open.Where(i => Visible(i.Target)).ToList();
            var state = mine.Count == 0 ? "ok"
                : $"firing ({mine.Count})" + (mine.Any(i => i.SnoozedUntil > now) ? ", snoozed" : "");
            return (IReadOnlyList<string>)
            [
                r.Rule.Name,
                r.Rule.Target,
                r.Rule.Condition.Name() + (r.Rule.FilterText is { Length: > 0 } f ? $" {f}" : ""),
                r.Rule.ThresholdText,
                $"{r.Rule.Platform} {r.Rule.Channel}",
                Format.Duration(r.Rule.Interval),
                state,
            ];
        }).ToList();
        var notes = new List<string>();
        foreach (var i in open.Take(20))
        {
            var snoozed = i.SnoozedUntil is { } until && until > now ? $", snoozed by {i.SnoozedBy} until {Format.At(until)}" : "";
            notes.Add($"• {i.Alert.Title} (since {Format.At(i.OpenedAt)}{snoozed}; alert {i.Id})");
        }
        if (open.Count > 20)
        {
            notes.Add($"… and {open.Count - 20} more open incidents.");
        }
        if (engine.Rules.Count == 0)
        {
            notes.Add("No watch rules are configured (PgChatOps:Watch:Rules).");
        }
        var leader = listing.Leader is null ? "no replica is sampling"
            : listing.ThisReplicaLeads ? "this replica samples" : "another replica samples";
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"{Format.Count(rows.Count, "watch rule")} here, {Format.Count(open.Count, "open incident")}",
            Context = $"{leader} · {Format.At(now)}",
            Table = rows.Count == 0 ? null : new ReplyTable(["rule", "target", "condition", "threshold", "alerts to", "every", "state"], rows, rows.Count) { RowNoun = "rules" },
            Notes = notes,
        };
    }

    /// <summary><c>/pg history</c>: the chart as a PNG and its one-line summary.</summary>
    public async Task<Reply> HistoryAsync(string target, HistoryWindow window, CancellationToken ct)
    {
        var end = time.GetUtcNow();
        var start = end - window.Length();
        var points = await history.ReadAsync(target, start, end, ct);
        var spans = (await incidents.ListSinceAsync([target], start, ct))
            .Select(i => new IncidentSpan(i.OpenedAt, i.Alert.ResolvedAt, i.Rule))
            .ToList();
        var series = new HistorySeries(target, window, end, points, spans);
        var summary = HistoryChart.Summary(series);
        var png = HistoryChart.RenderPng(series);
        var notes = engine.Rules.Any(r => r.AppliesTo(target))
            ? []
            : new List<string> { $"No watch rule covers {target}, so no samples are recorded for it (PgChatOps:Watch:Rules)." };
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = summary,
            Context = Replies.Replies.Context(target, end, $"history last={window.Label()}"),
            Notes = notes,
            Files = [new ReplyFile(HistoryChart.FileName(series), "image/png", png, HistoryChart.Title(series))],
        };
    }

    /// <summary>
    /// The fleet view: one line per target in <paramref name="targets"/>, sampled in parallel with a timeout each;
    /// a target that fails or does not answer is a line saying so. Worst first: unreachable, then open incidents,
    /// lock waiters, share of connections used, oldest transaction.
    /// </summary>
    public async Task<Reply> FleetAsync(string pattern, IReadOnlyList<string> targets, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (targets.Count == 0)
        {
            return Reply.Error($"No target you may view here matches '{CommandParser.Clip(pattern)}'.", "`/pg targets` lists the ones you may use.");
        }
        var open = (await incidents.ListOpenAsync(null, ct)).GroupBy(i => i.Target, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        using var slots = new SemaphoreSlim(FleetParallelism);
        var lines = await Task.WhenAll(targets.Select(t => FleetLineAsync(t, open.GetValueOrDefault(t), slots, ct)));
        var ordered = lines
            .OrderByDescending(l => l.Error is not null)
            .ThenByDescending(l => l.Incidents)
            .ThenByDescending(l => l.Sample?.Waiting ?? 0)
            .ThenByDescending(l => l.Percent)
            .ThenByDescending(l => l.Sample?.LongestTransaction ?? TimeSpan.Zero)
            .ThenBy(l => l.Target, StringComparer.Ordinal)
            .ToList();
        var down = ordered.Count(l => l.Error is not null);
        return new Reply
        {
            Kind = ReplyKind.Info,
            Title = $"{Format.Count(ordered.Count, "target")} matching {CommandParser.Clip(pattern)}, worst first"
                + (down > 0 ? $": {down} not answering" : ""),
            Context = $"each target sampled at {Format.At(now)}, {Format.Duration(FleetTimeout)} at most",
            Table = new ReplyTable(["target", "connections", "used", "active", "idle in tx", "waiting", "longest tx", "incidents", "status"],
                ordered.Select(Row).ToList(), ordered.Count) { RowNoun = "targets" },
        };
    }

    private async Task<FleetLine> FleetLineAsync(string target, int openIncidents, SemaphoreSlim slots, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(FleetTimeout);
        try
        {
            await slots.WaitAsync(cts.Token);
            try
            {
                var sample = await sampler.SampleAsync(target, new SampleNeeds(null, null, false), cts.Token).WaitAsync(FleetTimeout, time, ct);
                return new FleetLine(target, sample, openIncidents, null);
            }
            finally
            {
                slots.Release();
            }
        }
        // The login's own timeout (Npgsql wraps it) can fire a moment before ours: a target that did not answer reads the
        // same either way.
        catch (Exception ex) when (ex is TimeoutException || ex.InnerException is TimeoutException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new FleetLine(target, null, openIncidents, $"did not answer within {Format.Duration(FleetTimeout)}");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return new FleetLine(target, null, openIncidents, "unreachable: " + DatabaseErrors.Cause(ex));
        }
    }

    private static IReadOnlyList<string> Row(FleetLine l)
    {
        var n = (int? v) => v is { } x ? x.ToString(CultureInfo.InvariantCulture) : "?";
        var s = l.Sample;
        var idleTx = s is null ? (int?)null
            : s.ByState.GetValueOrDefault("idle in transaction") + s.ByState.GetValueOrDefault("idle in transaction (aborted)");
        return
        [
            l.Target,
            s is null ? "?" : $"{s.Connections}/{s.MaxConnections}",
            s is null ? "?" : string.Create(CultureInfo.InvariantCulture, $"{l.Percent:0}%"),
            n(s?.ByState.GetValueOrDefault("active")),
            n(idleTx),
            n(s?.Waiting),
            s is null ? "?" : s.LongestTransaction is { } x ? Format.Duration(x) : "none",
            l.Incidents.ToString(CultureInfo.InvariantCulture),
            l.Error ?? "ok",
        ];
    }

    /// <summary>Whether a <c>target=</c> value names several targets (<c>*</c>, <c>prod-*</c>).</summary>
    public static bool IsPattern(string? target) => target is not null && target.Contains('*', StringComparison.Ordinal);

    public static bool Matches(string pattern, string target) =>
        Regex.IsMatch(target, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The Snooze button: for a clicker allowed <c>view</c> on the alert's target, in the channel the alert was posted
    /// to, mutes the incident's updates and re-alerts for <see cref="WatchOptions.SnoozeFor"/>. Audited before it acts.
    /// </summary>
    public async Task<Reply> SnoozeAsync(Guid alertId, ChatUser clicker, ChatPlace place, CancellationToken ct)
    {
        try
        {
            return await TrySnoozeAsync(alertId, clicker, place, ct);
        }
        catch (Exception ex) when (ex is StateStoreUnavailableException or NpgsqlException or TimeoutException)
        {
            // Fails closed, and says so: the clicker gets an answer, never an error page or silence.
            return Reply.Error($"Nothing was snoozed: the state store did not answer ({DatabaseErrors.Cause(ex)}).", "Try again in a moment.");
        }
    }

    private async Task<Reply> TrySnoozeAsync(Guid alertId, ChatUser clicker, ChatPlace place, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(alertId, ct);
        AuditEntry Entry(string outcome) => new(AuditEvents.Snoozed, place.Platform, place.Workspace, place.Channel, clicker.Id, clicker.DisplayName)
        {
            Target = incident?.Target,
            Verb = "snooze",
            Outcome = outcome,
            Detail = new { alert = alertId, rule = incident?.Rule },
        };
        if (incident is null)
        {
            await audit.WriteAsync(Entry("unknown_alert"), ct);
            return Reply.Error("This alert is unknown here: nothing was snoozed.", "It may belong to another PgChatOps installation, or have been pruned.");
        }
        if (!string.Equals(incident.Alert.Platform, place.Platform.Name(), StringComparison.OrdinalIgnoreCase) || incident.Alert.Channel != place.Channel)
        {
            await audit.WriteAsync(Entry("wrong_channel"), ct);
            return Reply.Error("This alert belongs to another channel: nothing was snoozed.", "Snooze it where it was posted.");
        }
        if (!access.IsAllowed(place, clicker, incident.Target, VerbClass.View))
        {
            await audit.WriteAsync(Entry("not_allowed"), ct);
            return new Reply
            {
                Kind = ReplyKind.Denied,
                Visibility = Visibility.Requester,
                Title = $"Not allowed: snoozing needs the 'view' permission on {incident.Target} in this channel.",
                Notes = ["Nothing was snoozed."],
            };
        }
        if (incident.Alert.Status != AlertStatus.Open)
        {
            return Reply.Error("This incident is already resolved: nothing to snooze.");
        }
        var until = time.GetUtcNow() + options.Value.SnoozeFor;
        // Audit first: if the record cannot be written, nothing is snoozed.
        await audit.WriteAsync(Entry(AuditEvents.Snoozed) with { Detail = new { alert = alertId, rule = incident.Rule, until } }, ct);
        var snoozed = await engine.SnoozeAsync(alertId, clicker.DisplayName, ct);
        if (snoozed is null)
        {
            return Reply.Error("This incident resolved meanwhile: nothing to snooze.");
        }
        return new Reply
        {
            Kind = ReplyKind.Outcome,
            Title = $"{clicker.DisplayName} snoozed '{incident.Rule}' on {incident.Target} until {Format.At(snoozed.SnoozedUntil ?? until)}",
            Context = $"watch alert {alertId}",
            Notes = ["Updates and re-alerts of this incident are muted until then; it is still marked resolved when it clears."],
        };
    }

    private sealed record FleetLine(string Target, TargetSample? Sample, int Incidents, string? Error)
    {
        public double Percent => Sample is { MaxConnections: > 0 } s ? 100.0 * s.Connections / s.MaxConnections : 0;
    }
}
