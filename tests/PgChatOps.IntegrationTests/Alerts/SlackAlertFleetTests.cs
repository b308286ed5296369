using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Demo;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Watch;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Alerts;

/// <summary>Alerts in Slack from the hard cases: a lock pile-up, two replicas, a hung target.</summary>
public sealed class SlackAlertFleetTests(ITestOutputHelper output)
{
    private const int Waiters = 200;

    private static string Text(JsonNode node) => node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static bool Resolved(JsonObject update) => Text(update).Contains("Resolved after", StringComparison.Ordinal);

    [Fact]
    public async Task A_pile_up_of_200_waiters_gets_one_blocking_message_naming_the_root_and_terminating_the_root_clears_it()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // A cluster of its own: 201 backends must not compete with other tests for connections.
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var pile = await RowLockPileUp.StartAsync(pg, Waiters);
        var rootPid = pile.RootPid;
        output.WriteLine($"{clock.Elapsed}: {Waiters} waiters lined up");

        await using var room = await SlackAlertRoom.StartAsync(
            [WatchHost.Rule("pile-up", "blocking", "5", target: "test", channel: SlackAlertRoom.Channel)],
            targetConnectionString: pg.ConnectionString);
        var (alert, ts) = await room.AlertAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"{clock.Elapsed}: alert posted:\n{Text(alert)}");
        var json = Text(alert);
        Assert.Contains($"pid {rootPid}", json, StringComparison.Ordinal);
        Assert.Contains("pile-root", json, StringComparison.Ordinal);
        Assert.Contains(Waiters.ToString(CultureInfo.InvariantCulture), json, StringComparison.Ordinal);
        var (_, terminate) = SlackAlertRoom.Button(alert, "pgchatops.confirm");
        Assert.Equal("Terminate root blocker", terminate["text"]!["text"]!.GetValue<string>());

        Assert.Single(room.Alerts());
        await room.ClickAsync(SlackAlertRoom.Allowed, alert, ts, "pgchatops.confirm");
        await SlackAlertRoom.WaitAsync(() => room.ThreadReplies(ts).Count > 0, TimeSpan.FromSeconds(30), "the outcome in the alert's thread");
        Assert.Contains("Terminated 1 of 1 session", Text(room.ThreadReplies(ts)[0]), StringComparison.Ordinal);
        await SlackAlertRoom.WaitAsync(() => room.Updates(ts).Any(Resolved), TimeSpan.FromSeconds(60), "the pile-up to clear and the alert to resolve");
        output.WriteLine($"{clock.Elapsed}: resolved");
        Assert.Equal(0, Count(pg, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {rootPid}"));
        Assert.Empty(SlackAlertRoom.ActionIds(room.Updates(ts).Last(Resolved)));
        // The 200 waiters then drain one by one, each briefly holding the row lock the others wait for: a sample
        // may catch one of those as a new root, which is another incident with a message of its own, never this one again.
        Assert.All(room.Alerts().Skip(1), other => Assert.DoesNotContain($"pid {rootPid}", Text(other.Message), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_replicas_post_one_Slack_message_and_the_follower_carries_on_with_it_when_the_leader_stops()
    {
        await using var sessions = await TestSessions.CreateAsync("sr");
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var slack = await SlackAlertRoom.FakeSlackAsync();
        await using var _ = slack.Slack;
        IReadOnlyList<IReadOnlyDictionary<string, string>> rules =
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}", channel: SlackAlertRoom.Channel)];
        // A one-minute lease: only a leader that gives it up on stopping lets the follower in within the test.
        var settings = new Dictionary<string, string?> { ["Watch:LeaseTimeToLive"] = "00:01:00" };
        var a = await SlackAlertRoom.StartAsync(rules, stateDatabase: state, settings: settings, shared: slack);
        var b = await SlackAlertRoom.StartAsync(rules, stateDatabase: state, settings: settings, shared: slack);
        await using var __ = a;
        await using var ___ = b;

        var idle = await sessions.OpenIdleInTransactionAsync();
        var (_, ts) = await a.AlertAsync(TimeSpan.FromSeconds(10));
        await SlackAlertRoom.WaitAsync(() => a.Updates(ts).Count >= 2, TimeSpan.FromSeconds(10), "a few updates");
        Assert.Single(a.Alerts());

        // Stop the replica that leads; the other takes over the same message.
        var leader = a.App.Services.GetRequiredService<PgChatOps.Watch.WatchEngine>().IsLeader ? a : b;
        var follower = leader == a ? b : a;
        await leader.App.DisposeAsync();
        var updatesBefore = follower.Updates(ts).Count;
        await SlackAlertRoom.WaitAsync(() => follower.App.Services.GetRequiredService<PgChatOps.Watch.WatchEngine>().IsLeader, TimeSpan.FromSeconds(10), "the follower to lead");
        await SlackAlertRoom.WaitAsync(() => follower.Updates(ts).Count > updatesBefore, TimeSpan.FromSeconds(10), "the new leader to update the message");
        Assert.Single(follower.Alerts());
        Assert.Contains(idle.Pid.ToString(CultureInfo.InvariantCulture), Text(follower.Updates(ts)[^1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_target_does_not_delay_the_Slack_alert_of_a_healthy_one()
    {
        await using var sessions = await TestSessions.CreateAsync("sg");
        await using var hung = TcpRelay.Hang();
        var pg = await TestDatabase.GetAsync();
        await using var room = await SlackAlertRoom.StartAsync(
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}", target: "*", channel: SlackAlertRoom.Channel)],
            settings: new Dictionary<string, string?>
            {
                ["Targets:hung:ConnectionString"] = hung.ConnectionString(pg.ConnectionString),
                ["Watch:SampleTimeout"] = "00:00:05",
            });

        await sessions.OpenIdleInTransactionAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (alert, _) = await room.AlertAsync(TimeSpan.FromSeconds(10));
        // Due after 1 s plus at most two 200 ms intervals; the hung target's 5 s timeout plays no part.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"the healthy target's alert took {clock.Elapsed}");
        Assert.Contains("on test", Text(alert), StringComparison.Ordinal);
        Assert.Single(room.Alerts());
    }

    private static long Count(ThrowawayPostgres pg, string sql)
    {
        using var conn = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
