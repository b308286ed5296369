using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Watch;

namespace PgChatOps.Tests.Watch;

public sealed class WatchEvaluatorTests
{
    private static readonly DateTime Start = new(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc);

    private static WatchedSession S(int pid, string state, TimeSpan inState, string user = "app", string? app = "web", params int[] blockedBy) =>
        new(new SessionInfo
        {
            Pid = pid,
            BackendStart = Start.AddSeconds(pid),
            User = user,
            Application = app,
            State = state,
            InState = inState,
            BlockedBy = blockedBy,
            WaitEventType = blockedBy.Length > 0 ? "Lock" : null,
        }, inState);

    private static TargetSample Sample(params WatchedSession[] sessions) =>
        new("prod", 40, 100, new Dictionary<string, int>(), 0, null, null, sessions, ShowQueryText: true);

    private static WatchRule Rule(WatchCondition condition, string? filter = null) =>
        WatchRules.Parse(new WatchOptions
        {
            Rules =
            [
                new WatchRuleOptions
                {
                    Name = "r", Target = "prod", Platform = "slack", Channel = "C1", Filter = filter,
                    Condition = condition.Name(),
                    Threshold = condition switch { WatchCondition.Blocking => "2", WatchCondition.Connections => "40%", _ => "5m" },
                },
            ],
        }, ["prod"]).Rules.Single();

    [Fact]
    public void Idle_transactions_past_the_threshold_make_one_finding_naming_the_worst_first()
    {
        var findings = WatchEvaluator.Evaluate(Rule(WatchCondition.IdleInTransaction),
            Sample(S(1, "idle in transaction", TimeSpan.FromMinutes(6)), S(2, "idle in transaction (aborted)", TimeSpan.FromMinutes(9)),
                S(3, "idle in transaction", TimeSpan.FromMinutes(4)), S(4, "active", TimeSpan.FromMinutes(30))));

        var f = Assert.Single(findings);
        Assert.Equal([2, 1], f.Sessions.Select(s => s.Pid));
        Assert.Equal(TimeSpan.FromMinutes(9), f.Longest);
        Assert.Equal("2 sessions idle in transaction on prod for up to 9 minutes (rule r: over 5m)", f.Title);
        // One is aborted, which state=idle-in-transaction would not select: the fix names the worst session.
        Assert.Equal("kill 2 target=prod", f.Fixes.Single(x => x.Kind == AlertFixKind.Terminate).Command);
    }

    [Fact]
    public void Several_long_queries_get_bulk_fixes_whose_preview_selects_the_same_sessions()
    {
        var f = Assert.Single(WatchEvaluator.Evaluate(Rule(WatchCondition.LongRunning, "user=app*"),
            Sample(S(1, "active", TimeSpan.FromMinutes(6)), S(2, "active", TimeSpan.FromMinutes(7)))));

        Assert.Equal("cancel state=active longer=300s user=app* target=prod", f.Fixes.Single(x => x.Kind == AlertFixKind.Cancel).Command);
        Assert.Equal("kill state=active longer=300s user=app* target=prod", f.Fixes.Single(x => x.Kind == AlertFixKind.Terminate).Command);
        Assert.All(f.Fixes.Where(x => x.Command is not null), x => Assert.True(CommandParser.Parse(x.Command).IsSuccess));
    }

    [Fact]
    public void A_blocking_finding_is_keyed_by_its_root_and_counts_waiters_below_it_transitively()
    {
        var sample = Sample(
            S(10, "idle in transaction", TimeSpan.FromMinutes(1), app: "batch"),
            S(11, "active", TimeSpan.FromSeconds(30), blockedBy: 10),
            S(12, "active", TimeSpan.FromSeconds(20), blockedBy: 11),
            S(20, "idle in transaction", TimeSpan.FromMinutes(1)),
            S(21, "active", TimeSpan.FromSeconds(5), blockedBy: 20));

        var f = Assert.Single(WatchEvaluator.Evaluate(Rule(WatchCondition.Blocking), sample)); // threshold 2 waiters

        Assert.Equal(10, f.Sessions[0].Pid);
        Assert.Equal(2, f.Waiters);
        Assert.StartsWith("10@", f.Cause, StringComparison.Ordinal);
        Assert.Equal("kill 10 target=prod", f.Fixes[0].Command);
        Assert.Empty(WatchEvaluator.Evaluate(Rule(WatchCondition.Blocking, "app=web"), sample)); // the filter applies to the root
    }

    [Fact]
    public void The_fingerprint_changes_with_what_a_reader_sees_not_with_every_millisecond()
    {
        var rule = Rule(WatchCondition.IdleInTransaction);
        string Print(TimeSpan t) => WatchEvaluator.Evaluate(rule, Sample(S(1, "idle in transaction", t))).Single().Fingerprint;

        Assert.Equal(Print(TimeSpan.FromMinutes(7.1)), Print(TimeSpan.FromMinutes(7.9)));
        Assert.NotEqual(Print(TimeSpan.FromMinutes(7.9)), Print(TimeSpan.FromMinutes(8.1)));
    }

    [Fact]
    public void Connections_fire_at_the_share_of_max_connections()
    {
        var f = Assert.Single(WatchEvaluator.Evaluate(Rule(WatchCondition.Connections), Sample()));

        Assert.Equal(40, f.Percent);
        Assert.Equal("40 of 100 connections in use on prod (40%) (rule r: 40%)", f.Title);
        Assert.Equal(AlertFixKind.Snooze, Assert.Single(f.Fixes).Kind);
    }
}
