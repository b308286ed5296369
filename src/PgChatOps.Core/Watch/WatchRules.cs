using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PgChatOps.Commands;

namespace PgChatOps.Watch;

/// <summary>
/// Turns <c>PgChatOps:Watch</c> into validated <see cref="WatchRule"/>s. Each mistake is one line naming the key,
/// what was wrong and the right form, like the rest of the settings.
/// </summary>
public static partial class WatchRules
{
    private static readonly string[] Platforms = ["slack", "discord", "console"];

    public static (IReadOnlyList<WatchRule> Rules, IReadOnlyList<string> Problems) Parse(
        WatchOptions options, IReadOnlyCollection<string> targets, IConfiguration? configuration = null)
    {
        var rules = new List<WatchRule>();
        var problems = new List<string>();
        CheckEngine(options, problems);

        var keys = RuleKeys(options, configuration);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var before = problems.Count;
            var rule = ParseRule(options.Rules[i], keys[i], targets, problems);
            if (rule is not null && names.TryGetValue(rule.Name, out var other))
            {
                problems.Add($"{keys[i]}:Name '{rule.Name}' is also the name of {other}; each rule needs its own name (it keys the rule's incidents)");
            }
            else if (rule is not null && problems.Count == before)
            {
                names[rule.Name] = keys[i];
                rules.Add(rule);
            }
        }
        return (rules, problems);
    }

    private static void CheckEngine(WatchOptions o, List<string> problems)
    {
        const string p = WatchOptions.Section;
        if (o.LeaseTimeToLive < TimeSpan.FromSeconds(1) || o.LeaseTimeToLive > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{p}:LeaseTimeToLive is {o.LeaseTimeToLive}; use between 00:00:01 and 00:10:00, e.g. 00:00:15");
        }
        if (o.SampleTimeout <= TimeSpan.Zero || o.SampleTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{p}:SampleTimeout is {o.SampleTimeout}; use more than zero and at most 00:05:00, e.g. 00:00:10");
        }
        if (o.MaxParallelTargets is < 1 or > 256)
        {
            problems.Add($"{p}:MaxParallelTargets is {o.MaxParallelTargets}; use 1 to 256, e.g. 16");
        }
        if (o.HistoryRetention <= TimeSpan.Zero)
        {
            problems.Add($"{p}:HistoryRetention is {o.HistoryRetention}; use a positive duration, e.g. 7.00:00:00 (seven days)");
        }
        if (o.UnreachableAfter < TimeSpan.Zero || o.UnreachableAfter > TimeSpan.FromDays(1))
        {
            problems.Add($"{p}:UnreachableAfter is {o.UnreachableAfter}; use 00:00:00 (no such alert) up to 1.00:00:00, e.g. 00:01:00");
        }
        if (o.SnoozeFor <= TimeSpan.Zero || o.SnoozeFor > TimeSpan.FromDays(7))
        {
            problems.Add($"{p}:SnoozeFor is {o.SnoozeFor}; use more than zero and at most 7.00:00:00, e.g. 01:00:00");
        }
    }

    private static WatchRule? ParseRule(WatchRuleOptions r, string key, IReadOnlyCollection<string> targets, List<string> problems)
    {
        var name = r.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            problems.Add($"{key}:Name is empty; give the rule a short name, e.g. idle-tx-prod");
        }

        var target = r.Target?.Trim();
        if (string.IsNullOrEmpty(target))
        {
            problems.Add($"{key}:Target is empty; name a configured target or use * for every target");
        }
        else if (target != "*" && !targets.Contains(target, StringComparer.OrdinalIgnoreCase))
        {
            var known = targets.Count == 0 ? "" : $" (configured: {string.Join(", ", targets.Order(StringComparer.Ordinal))})";
            problems.Add($"{key}:Target names unknown target '{target}'; use a configured target or *{known}");
        }
        else if (target != "*")
        {
            target = targets.First(t => string.Equals(t, target, StringComparison.OrdinalIgnoreCase));
        }

        var condition = WatchConditionNames.Parse(r.Condition);
        if (condition is null)
        {
            problems.Add($"{key}:Condition is '{r.Condition}'; use idle-in-transaction, long-running, blocking or connections");
        }

        var platform = r.Platform?.Trim().ToLowerInvariant();
        if (platform is null || !Platforms.Contains(platform))
        {
            problems.Add($"{key}:Platform is '{r.Platform}'; use slack, discord or console (where the alert is posted)");
        }
        var channel = r.Channel?.Trim();
        if (string.IsNullOrEmpty(channel))
        {
            problems.Add($"{key}:Channel is empty; give the channel id the alert is posted in, e.g. C0123456789");
        }
        if (r.Interval < TimeSpan.FromMilliseconds(100) || r.Interval > TimeSpan.FromHours(1))
        {
            problems.Add($"{key}:Interval is {r.Interval}; use between 00:00:00.1 and 01:00:00, e.g. 00:00:30");
        }

        var (filter, filterText) = ParseFilter(r.Filter, key, condition, problems);
        var threshold = r.Threshold?.Trim() ?? "";
        TimeSpan? duration = null;
        int? waiters = null;
        double? percent = null;
        switch (condition)
        {
            case WatchCondition.IdleInTransaction or WatchCondition.LongRunning:
                if (CommandParser.TryParseDuration(threshold, out var d) && d > TimeSpan.Zero)
                {
                    duration = d;
                }
                else
                {
                    problems.Add($"{key}:Threshold is '{threshold}'; {condition.Value.Name()} takes a duration such as 30s, 10m or 1h30m");
                }
                break;
            case WatchCondition.Blocking:
                if (int.TryParse(threshold, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
                {
                    waiters = n;
                }
                else if (CommandParser.TryParseDuration(threshold, out var w) && w > TimeSpan.Zero)
                {
                    duration = w;
                }
                else
                {
                    problems.Add($"{key}:Threshold is '{threshold}'; blocking takes a waiter count such as 5 or a wait such as 30s");
                }
                break;
            case WatchCondition.Connections:
                var m = PercentPattern().Match(threshold);
                if (m.Success && double.TryParse(m.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pc) && pc is > 0 and <= 100)
                {
                    percent = pc;
                }
                else
                {
                    problems.Add($"{key}:Threshold is '{threshold}'; connections takes a share of max_connections such as 90%");
                }
                break;
        }

        if (name is null || target is null || condition is null || platform is null || channel is null)
        {
            return null;
        }
        return new WatchRule(name, target, condition.Value, platform, channel, r.Interval)
        {
            Duration = duration,
            Waiters = waiters,
            Percent = percent,
            Filter = filter,
            FilterText = filterText,
            ThresholdText = threshold,
        };
    }

    private static (SessionFilter Filter, string? Text) ParseFilter(string? text, string key, WatchCondition? condition, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (SessionFilter.None, null);
        }
        text = text.Trim();
        if (condition == WatchCondition.Connections)
        {
            problems.Add($"{key}:Filter is set, but connections counts every client connection against max_connections; remove the Filter");
            return (SessionFilter.None, text);
        }
        var parsed = CommandParser.Parse("sessions " + text);
        if (!parsed.IsSuccess)
        {
            problems.Add($"{key}:Filter '{text}' is not a session filter: {parsed.Error}");
            return (SessionFilter.None, text);
        }
        var command = parsed.Command!;
        if (command.Target is not null || command.Limit is not null || command.Sort != SessionSort.Duration)
        {
            problems.Add($"{key}:Filter '{text}' may only hold session filters (user=, db=, app=, client=, state=, wait=, longer=, query~); the target is the rule's Target");
        }
        return (command.Filter, text);
    }

    /// <summary>Each rule's key as the operator wrote it: a list binds from the configured children in key order.</summary>
    private static IReadOnlyList<string> RuleKeys(WatchOptions o, IConfiguration? configuration)
    {
        var keys = configuration?.GetSection($"{WatchOptions.Section}:Rules").GetChildren().Select(c => c.Key).ToList() ?? [];
        if (keys.Count != o.Rules.Count)
        {
            keys = [.. Enumerable.Range(0, o.Rules.Count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }
        return [.. keys.Select(k => $"{WatchOptions.Section}:Rules:{k}")];
    }

    [GeneratedRegex(@"^(?<n>\d{1,3}(\.\d{1,2})?)\s*%$")]
    private static partial Regex PercentPattern();
}
