using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PgChatOps.Hosting;

namespace PgChatOps.Watch;

/// <summary>
/// The watch's instruments, on the <c>PgChatOps</c> meter (exported by <c>/metrics</c>):
/// <c>pgchatops_watch_samples_total</c> (target, outcome ok|error|timeout), <c>pgchatops_watch_sample_duration_seconds</c>,
/// <c>pgchatops_watch_samples_skipped_total</c> (a target's previous sample was still running),
/// <c>pgchatops_watch_alerts_opened_total</c> and <c>pgchatops_watch_alerts_firing</c> (open incidents, by rule, on this leader).
/// Labels are operator-configured rule and target names, never user text.
/// </summary>
public sealed class WatchMetrics
{
    private readonly Counter<long> _samples;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _opened;
    private readonly ConcurrentDictionary<(string Rule, string Target), int> _firing = new();

    public WatchMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PgChatOpsMetrics.MeterName);
        _samples = meter.CreateCounter<long>("pgchatops.watch.samples", description: "Watch samples of a target, by outcome.");
        _duration = meter.CreateHistogram<double>("pgchatops.watch.sample.duration", unit: "s", description: "Time to sample one target.");
        _skipped = meter.CreateCounter<long>("pgchatops.watch.samples.skipped",
            description: "Samples skipped because the target's previous sample had not finished (a slow or hung target).");
        _opened = meter.CreateCounter<long>("pgchatops.watch.alerts.opened", description: "Incidents opened, by rule.");
        meter.CreateObservableGauge("pgchatops.watch.alerts.firing", ObserveFiring, description: "Open incidents on this leader, by rule.");
    }

    public void Sampled(string target, string outcome, TimeSpan elapsed)
    {
        var t = new KeyValuePair<string, object?>("target", target);
        _samples.Add(1, t, new("outcome", outcome));
        _duration.Record(elapsed.TotalSeconds, t);
    }

    public void Skipped(string target) => _skipped.Add(1, new KeyValuePair<string, object?>("target", target));

    public void Opened(string rule) => _opened.Add(1, new KeyValuePair<string, object?>("rule", rule));

    /// <summary>How many incidents of each rule are open on a target after its latest sample.</summary>
    public void Firing(string target, IEnumerable<string> rules, IReadOnlyCollection<string> firingRules)
    {
        foreach (var rule in rules)
        {
            _firing[(rule, target)] = firingRules.Count(r => r == rule);
        }
    }

    /// <summary>This replica stopped leading: what it reported is no longer its to report.</summary>
    public void ClearFiring() => _firing.Clear();

    private IEnumerable<Measurement<int>> ObserveFiring() =>
        _firing.GroupBy(f => f.Key.Rule).Select(g => new Measurement<int>(g.Sum(f => f.Value), new KeyValuePair<string, object?>("rule", g.Key)));
}
