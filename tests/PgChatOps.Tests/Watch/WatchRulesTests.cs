using Microsoft.Extensions.Configuration;
using PgChatOps.Watch;

namespace PgChatOps.Tests.Watch;

public sealed class WatchRulesTests
{
    private static readonly string[] Targets = ["prod", "staging"];

    private static (IReadOnlyList<WatchRule> Rules, IReadOnlyList<string> Problems) Parse(params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("PgChatOps:Watch:" + s.Key, s.Value)))
            .Build();
        var options = new WatchOptions();
        config.GetSection(WatchOptions.Section).Bind(options);
        return WatchRules.Parse(options, Targets, config);
    }

    private static (string, string)[] Rule(string i, string condition, string threshold, string? filter = null, string target = "prod") =>
    [
        ($"Rules:{i}:Name", $"rule-{i}"),
        ($"Rules:{i}:Target", target),
        ($"Rules:{i}:Condition", condition),
        ($"Rules:{i}:Threshold", threshold),
        ($"Rules:{i}:Filter", filter ?? ""),
        ($"Rules:{i}:Platform", "slack"),
        ($"Rules:{i}:Channel", "C1"),
    ];

    [Fact]
    public void Every_condition_takes_its_threshold_in_the_grammars_own_form()
    {
        var (rules, problems) = Parse(
        [
            .. Rule("0", "idle-in-transaction", "10m", "user=app*"),
            .. Rule("1", "long-running", "1h30m", target: "*"),
            .. Rule("2", "blocking", "5"),
            .. Rule("3", "blocking", "30s"),
            .. Rule("4", "connections", "90%"),
        ]);

        Assert.Empty(problems);
        Assert.Equal(TimeSpan.FromMinutes(10), rules[0].Duration);
        Assert.Equal("app*", rules[0].Filter.User);
        Assert.Equal(TimeSpan.FromMinutes(90), rules[1].Duration);
        Assert.True(rules[1].AppliesTo("staging"));
        Assert.Equal(5, rules[2].Waiters);
        Assert.Equal(TimeSpan.FromSeconds(30), rules[3].Duration);
        Assert.Equal(90, rules[4].Percent);
        Assert.All(rules, r => Assert.Equal(TimeSpan.FromSeconds(30), r.Interval)); // the default
    }

    [Theory]
    [InlineData("Condition", "idle", "PgChatOps:Watch:Rules:0:Condition is 'idle'; use idle-in-transaction, long-running, blocking or connections")]
    [InlineData("Threshold", "10 minutes", "PgChatOps:Watch:Rules:0:Threshold is '10 minutes'; idle-in-transaction takes a duration such as 30s, 10m or 1h30m")]
    [InlineData("Target", "prdo", "PgChatOps:Watch:Rules:0:Target names unknown target 'prdo'; use a configured target or * (configured: prod, staging)")]
    [InlineData("Platform", "teams", "PgChatOps:Watch:Rules:0:Platform is 'teams'; use slack, discord or console (where the alert is posted)")]
    [InlineData("Channel", "", "PgChatOps:Watch:Rules:0:Channel is empty; give the channel id the alert is posted in, e.g. C0123456789")]
    [InlineData("Interval", "00:00:00", "PgChatOps:Watch:Rules:0:Interval is 00:00:00; use between 00:00:00.1 and 01:00:00, e.g. 00:00:30")]
    [InlineData("Filter", "target=prod", "PgChatOps:Watch:Rules:0:Filter 'target=prod' may only hold session filters (user=, db=, app=, client=, state=, wait=, longer=, query~); the target is the rule's Target")]
    public void Each_mistake_is_one_line_naming_the_key_what_was_wrong_and_the_right_form(string key, string value, string expected)
    {
        var settings = Rule("0", "idle-in-transaction", "10m").Where(s => s.Item1 != $"Rules:0:{key}").Append(($"Rules:0:{key}", value)).ToArray();

        var (rules, problems) = Parse(settings);

        Assert.Equal(expected, Assert.Single(problems));
        Assert.Empty(rules);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("2.00:00:00")]
    public void UnreachableAfter_out_of_range_is_one_line_with_the_right_form(string value)
    {
        var (_, problems) = Parse([.. Rule("0", "idle-in-transaction", "10m"), ("UnreachableAfter", value)]);

        Assert.Equal($"PgChatOps:Watch:UnreachableAfter is {TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)}; use 00:00:00 (no such alert) up to 1.00:00:00, e.g. 00:01:00", Assert.Single(problems));
    }

    [Fact]
    public void A_filter_that_does_not_parse_is_reported_with_the_parsers_own_explanation()
    {
        var (_, problems) = Parse(Rule("0", "long-running", "5m", "usr=app"));

        var line = Assert.Single(problems);
        Assert.StartsWith("PgChatOps:Watch:Rules:0:Filter 'usr=app' is not a session filter: ", line, StringComparison.Ordinal);
        Assert.Contains("user", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_of_the_wrong_kind_for_the_condition_are_refused()
    {
        var (_, problems) = Parse([.. Rule("0", "connections", "10m"), .. Rule("1", "blocking", "90%"), .. Rule("2", "long-running", "5")]);

        Assert.Equal(
        [
            "PgChatOps:Watch:Rules:0:Threshold is '10m'; connections takes a share of max_connections such as 90%",
            "PgChatOps:Watch:Rules:1:Threshold is '90%'; blocking takes a waiter count such as 5 or a wait such as 30s",
            "PgChatOps:Watch:Rules:2:Threshold is '5'; long-running takes a duration such as 30s, 10m or 1h30m",
        ], problems);
    }

    [Fact]
    public void Two_rules_with_one_name_are_refused_because_the_name_keys_their_incidents()
    {
        var second = Rule("1", "long-running", "5m").Select(s => s.Item1.EndsWith(":Name", StringComparison.Ordinal) ? (s.Item1, "rule-0") : s);

        var (rules, problems) = Parse([.. Rule("0", "idle-in-transaction", "10m"), .. second]);

        Assert.Equal("PgChatOps:Watch:Rules:1:Name 'rule-0' is also the name of PgChatOps:Watch:Rules:0; each rule needs its own name (it keys the rule's incidents)", Assert.Single(problems));
        Assert.Single(rules);
    }
}
