using System.Globalization;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Watch;

/// <summary>Decides, from one sample, which rules fire on a target and for which root causes. Pure: no I/O, no clock.</summary>
public static class WatchEvaluator
{
    /// <summary>The most sessions an alert names; the rest are counted.</summary>
    public const int MaxSessionsNamed = 10;

    public const string SessionsCause = "sessions";
    public const string ConnectionsCause = "connections";

    public static IReadOnlyList<WatchFinding> Evaluate(WatchRule rule, TargetSample sample)
    {
        var matcher = new SessionFilterMatcher(rule.Filter);
        return rule.Condition switch
        {
            WatchCondition.IdleInTransaction => Sessions(rule, sample, matcher,
                s => s.State?.StartsWith("idle in transaction", StringComparison.Ordinal) == true, "idle in transaction"),
            WatchCondition.LongRunning => Sessions(rule, sample, matcher, s => s.State == "active", "running one query"),
            WatchCondition.Blocking => Blocking(rule, sample, matcher),
            WatchCondition.Connections => Connections(rule, sample),
            _ => [],
        };
    }

    private static IReadOnlyList<WatchFinding> Sessions(
        WatchRule rule, TargetSample sample, SessionFilterMatcher matcher, Func<SessionInfo, bool> inCondition, string what)
    {
        var hits = sample.Candidates
            .Where(c => c.Session.BackendType == "client backend" && inCondition(c.Session)
                        && c.Session.InState >= rule.Duration && matcher.Matches(c.Session))
            .OrderByDescending(c => c.Session.InState)
            .ThenBy(c => c.Session.Pid)
            .ToList();
        if (hits.Count == 0)
        {
            return [];
        }
        var longest = hits[0].Session.InState ?? TimeSpan.Zero;
        var named = hits.Take(MaxSessionsNamed).Select(c => ToAlertSession(c, sample.ShowQueryText)).ToList();
        var noun = hits.Count == 1 ? "session" : "sessions";
        var title = $"{hits.Count} {noun} {what} on {sample.Target} for up to {Format.Duration(longest)} (rule {rule.Name}: over {rule.ThresholdText})";

        var identities = hits.Select(h => h.Session.Identity).ToList();
        // A fix acts only on what the alert shows: the sessions it names, never the ones beyond them.
        var shown = identities.Take(MaxSessionsNamed).ToList();
        string Label(string verb) => hits.Count == 1 ? verb : shown.Count < hits.Count ? $"{verb} these {shown.Count}" : $"{verb} all {hits.Count}";
        var fixes = new List<AlertFix>();
        if (rule.Condition == WatchCondition.LongRunning)
        {
            fixes.Add(new AlertFix(AlertFixKind.Cancel, Label("Cancel"),
                FixCommand("cancel", rule, sample.Target, hits, "active"), shown));
        }
        fixes.Add(new AlertFix(AlertFixKind.Terminate, Label("Terminate"),
            FixCommand("kill", rule, sample.Target, hits, rule.Condition == WatchCondition.LongRunning ? "active" : "idle in transaction"), shown));
        fixes.Add(Snooze());

        return
        [
            new WatchFinding(rule, sample.Target, SessionsCause, Fingerprint(identities, null, longest, null))
            {
                Title = title,
                Longest = longest,
                Sessions = named,
                SessionCount = hits.Count,
                Fixes = fixes,
            },
        ];
    }

    /// <summary>
    /// One session: <c>kill 4242 target=prod</c>. Several: the rule's own selection as a bulk command whose preview
    /// lists every session it would hit (<c>kill state=idle-in-transaction longer=10m user=app* target=prod</c>),
    /// when the grammar can say it; otherwise the worst session by pid.
    /// </summary>
    private static string FixCommand(string verb, WatchRule rule, string target, IReadOnlyList<WatchedSession> hits, string state)
    {
        var single = $"{verb} {hits[0].Session.Pid} target={target}";
        if (hits.Count == 1 || rule.Duration is not { } threshold || hits.Any(h => h.Session.State != state)
            || rule.Filter.State is not null || rule.Filter.Longer is not null)
        {
            return single;
        }
        var stateWord = state == "active" ? "active" : "idle-in-transaction";
        var bulk = $"{verb} state={stateWord} longer={Seconds(threshold)} {rule.FilterText} target={target}".Replace("  ", " ", StringComparison.Ordinal);
        return CommandParser.Parse(bulk).IsSuccess ? bulk : single;
    }

    private static string Seconds(TimeSpan t) => ((long)Math.Floor(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";

    private static IReadOnlyList<WatchFinding> Blocking(WatchRule rule, TargetSample sample, SessionFilterMatcher matcher)
    {
        var entries = sample.Candidates.Select(c => new BlockingEntry(c.Session, null)).ToList();
        if (!entries.Any(e => e.Session.BlockedBy.Count > 0))
        {
            return [];
        }
        var byPid = sample.Candidates.GroupBy(c => c.Session.Pid).ToDictionary(g => g.Key, g => g.First());
        var nodes = BlockingForest.Build(entries);

        var findings = new List<WatchFinding>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var root = nodes[i];
            if (root.Depth != 0 || root.Waiters == 0)
            {
                continue;
            }
            var tree = new List<WatchedSession>();
            for (var j = i + 1; j < nodes.Count && nodes[j].Depth > 0; j++)
            {
                tree.Add(byPid[nodes[j].Entry.Session.Pid]);
            }
            var rootSession = byPid[root.Entry.Session.Pid];
            var longest = tree.Max(t => t.Session.InState) ?? TimeSpan.Zero;
            var fires = rule.Waiters is { } n ? tree.Count >= n : longest >= rule.Duration;
            if (!fires || !matcher.Matches(rootSession.Session))
            {
                continue;
            }

            var waitersNamed = tree.OrderByDescending(t => t.Session.InState).ThenBy(t => t.Session.Pid).Take(MaxSessionsNamed - 1);
            var named = new[] { rootSession }.Concat(waitersNamed).Select(c => ToAlertSession(c, sample.ShowQueryText)).ToList();
            var r = rootSession.Session;
            var who = r.User is null ? $"pid {r.Pid}" : $"pid {r.Pid} ({r.User})";
            var title = $"{who} blocks {tree.Count} {(tree.Count == 1 ? "session" : "sessions")} on {sample.Target}, waiting up to {Format.Duration(longest)} (rule {rule.Name}: {rule.ThresholdText})";
            var cause = $"{r.Pid}@{r.BackendStart.ToString("O", CultureInfo.InvariantCulture)}";
            findings.Add(new WatchFinding(rule, sample.Target, cause, Fingerprint([r.Identity], tree.Count, longest, null))
            {
                Title = title,
                Longest = longest,
                Sessions = named,
                SessionCount = tree.Count + 1,
                Waiters = tree.Count,
                Fixes =
                [
                    new AlertFix(AlertFixKind.TerminateRootBlocker, "Terminate root blocker", $"kill {r.Pid} target={sample.Target}", [r.Identity]),
                    Snooze(),
                ],
            });
        }
        return findings;
    }

    private static IReadOnlyList<WatchFinding> Connections(WatchRule rule, TargetSample sample)
    {
        if (sample.MaxConnections <= 0)
        {
            return [];
        }
        var percent = 100.0 * sample.Connections / sample.MaxConnections;
        if (percent < rule.Percent)
        {
            return [];
        }
        var title = string.Create(CultureInfo.InvariantCulture,
            $"{sample.Connections} of {sample.MaxConnections} connections in use on {sample.Target} ({percent:0}%) (rule {rule.Name}: {rule.ThresholdText})");
        return
        [
            new WatchFinding(rule, sample.Target, ConnectionsCause, Fingerprint([], (int)Math.Floor(percent), TimeSpan.Zero, null))
            {
                Title = title,
                Connections = sample.Connections,
                MaxConnections = sample.MaxConnections,
                Percent = Math.Round(percent, 1),
                Fixes = [Snooze()],
            },
        ];
    }

    private static AlertFix Snooze() => new(AlertFixKind.Snooze, "Snooze 1h", null, []);

    private static AlertSession ToAlertSession(WatchedSession c, bool showQuery)
    {
        var s = c.Session;
        return new AlertSession(s.Pid, s.BackendStart, s.User, s.Database, s.Application, s.Client, s.State,
            s.InState ?? TimeSpan.Zero, c.TransactionAge, showQuery ? Format.Truncate(s.Query, 200) : null, s.BlockedBy);
    }

    /// <summary>What a reader of the message would notice: the sessions, the count, the duration as shown (coarser as it grows).</summary>
    private static string Fingerprint(IEnumerable<BackendIdentity> sessions, int? count, TimeSpan longest, string? extra)
    {
        var bucket = longest < TimeSpan.FromMinutes(1) ? (long)longest.TotalSeconds
            : longest < TimeSpan.FromHours(1) ? 100_000 + (long)longest.TotalMinutes
            : 200_000 + (long)(longest.TotalMinutes / 10);
        var ids = string.Join(',', sessions.OrderBy(i => i.Pid).Select(i => $"{i.Pid}@{i.BackendStart.Ticks}"));
        return string.Create(CultureInfo.InvariantCulture, $"{ids}|{count}|{bucket}|{extra}");
    }
}
