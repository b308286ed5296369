using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

public sealed class WatchIncidentTests
{
    private static async Task<(WatchHost Host, RecordingAlertSink Sink)> StartAsync(TestSessions sessions, bool run, string threshold = "1s")
    {
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", threshold, filter: $"user={sessions.Role}")],
            sink,
            run: run);
        return (host, sink);
    }

    [Fact]
    public async Task An_idle_transaction_older_than_the_threshold_gets_one_alert_within_two_intervals_naming_the_session()
    {
        await using var sessions = await TestSessions.CreateAsync("wi");
        var (host, sink) = await StartAsync(sessions, run: true);
        await using var _ = host;

        var idle = await sessions.OpenIdleInTransactionAsync();
        // Threshold 1 s, interval 200 ms: the alert is due 1 s after the transaction went idle, plus at most two intervals.
        var waited = await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert for the idle transaction");
        Assert.True(waited < TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(2 * 200) + TimeSpan.FromSeconds(1),
            $"the alert took {waited} after the session went idle in transaction");

        var alert = Assert.Single(sink.Opened).Alert;
        Assert.Equal("idle-tx", alert.Rule);
        Assert.Equal("test", alert.Target);
        Assert.Equal("C-ALERTS", alert.Channel);
        var named = Assert.Single(alert.Sessions);
        Assert.Equal((idle.Pid, idle.BackendStart), (named.Pid, named.BackendStart));
        Assert.Equal(sessions.Role, named.User);
        Assert.Contains("idle in transaction", alert.Title, StringComparison.Ordinal);
        Assert.Contains(alert.Fixes, f => f.Kind == AlertFixKind.Terminate && f.Command == $"kill {idle.Pid} target=test");
        Assert.Contains(alert.Fixes, f => f.Kind == AlertFixKind.Snooze && f.Label == "Snooze 1h");

        // Five more samples: the message is updated at most, never posted again.
        await Task.Delay(TimeSpan.FromMilliseconds(5 * 200));
        Assert.Single(sink.Opened);
    }

    [Fact]
    public async Task An_open_alert_is_updated_in_place_over_three_samples_not_reopened()
    {
        await using var sessions = await TestSessions.CreateAsync("wu");
        var (host, sink) = await StartAsync(sessions, run: false);
        await using var _ = host;
        var idle = await sessions.OpenIdleInTransactionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // older than the threshold

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));
            await Task.Delay(TimeSpan.FromSeconds(1.1)); // the idle time shown moves on by a second
        }

        var opened = Assert.Single(sink.Opened);
        Assert.Equal(2, sink.Updated.Count);
        Assert.All(sink.Updated, u => Assert.Equal((opened.MessageRef, opened.Alert.Id), (u.MessageRef, u.Alert.Id)));
        var shown = sink.Calls.Select(c => c.Alert.Longest).ToList();
        Assert.True(shown[0] < shown[1] && shown[1] < shown[2], $"the idle time shown should grow: {string.Join(", ", shown)}");
        Assert.All(sink.Calls, c => Assert.Equal(idle.Pid, Assert.Single(c.Alert.Sessions).Pid));
        Assert.Empty(sink.Resolved);
    }

    [Fact]
    public async Task The_incident_resolves_by_itself_when_the_session_ends_and_says_how_long_it_lasted()
    {
        await using var sessions = await TestSessions.CreateAsync("wr");
        var (host, sink) = await StartAsync(sessions, run: false);
        await using var _ = host;
        var idle = await sessions.OpenIdleInTransactionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await host.Engine.RunOnceAsync(CancellationToken.None);
        var opened = Assert.Single(sink.Opened);

        await TestSessions.CloseAndWaitGoneAsync(idle); // the application rolls back and goes away
        await host.Engine.RunOnceAsync(CancellationToken.None);

        var resolved = Assert.Single(sink.Resolved);
        Assert.Equal(opened.MessageRef, resolved.MessageRef);
        Assert.Equal(AlertStatus.Resolved, resolved.Alert.Status);
        Assert.NotNull(resolved.Alert.Lasted);
        Assert.StartsWith("Resolved after", resolved.Alert.Title, StringComparison.Ordinal);
        Assert.Empty(resolved.Alert.Fixes);
        Assert.Empty((await host.Engine.ListAsync(CancellationToken.None)).OpenIncidents);

        // Nothing to report afterwards: no new message, no second resolution.
        await host.Engine.RunOnceAsync(CancellationToken.None);
        Assert.Single(sink.Opened);
        Assert.Single(sink.Resolved);
    }

    [Fact]
    public async Task A_restarted_replica_carries_on_the_same_incident_and_message()
    {
        await using var sessions = await TestSessions.CreateAsync("wk");
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var targets = new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() };
        IReadOnlyList<IReadOnlyDictionary<string, string>> rules = [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}")];
        var idle = await sessions.OpenIdleInTransactionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        await using (var first = await WatchHost.StartAsync(targets, state, rules, sink, run: false))
        {
            await first.Engine.RunOnceAsync(CancellationToken.None);
            await first.Engine.StopAsync(CancellationToken.None);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await using var second = await WatchHost.StartAsync(targets, state, rules, sink, run: false);
        await second.Engine.RunOnceAsync(CancellationToken.None);

        var opened = Assert.Single(sink.Opened);
        var updated = Assert.Single(sink.Updated);
        Assert.Equal((opened.MessageRef, opened.Alert.Id), (updated.MessageRef, updated.Alert.Id));
        Assert.Equal(idle.Pid, Assert.Single(updated.Alert.Sessions).Pid);
    }

    [Fact]
    public async Task A_snoozed_incident_is_not_updated_until_the_snooze_ends_and_watch_lists_it_as_snoozed()
    {
        await using var sessions = await TestSessions.CreateAsync("ws");
        var (host, sink) = await StartAsync(sessions, run: false);
        await using var _ = host;
        await sessions.OpenIdleInTransactionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await host.Engine.RunOnceAsync(CancellationToken.None);
        var opened = Assert.Single(sink.Opened);

        var snoozed = await host.Engine.SnoozeAsync(opened.Alert.Id, "alice", CancellationToken.None);
        Assert.NotNull(snoozed);
        Assert.Equal("alice", snoozed.SnoozedBy);
        Assert.Equal("alice", Assert.Single(sink.Updated).Alert.SnoozedBy); // the message says who snoozed it

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await host.Engine.RunOnceAsync(CancellationToken.None);
        Assert.Single(sink.Updated); // quiet while snoozed
        Assert.Single(sink.Opened);

        var listing = await host.Engine.ListAsync(CancellationToken.None);
        var rule = Assert.Single(listing.Rules);
        Assert.True(rule.Firing);
        Assert.Equal("alice", Assert.Single(rule.Open).SnoozedBy);
        Assert.True(listing.ThisReplicaLeads);
    }

    [Fact]
    public async Task A_target_that_cannot_be_reached_keeps_its_incidents_open_and_watch_shows_the_error()
    {
        await using var sessions = await TestSessions.CreateAsync("wo");
        var pg = await TestDatabase.GetAsync();
        await using var relay = TcpRelay.To(pg.Port);
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = relay.ConnectionString(pg.ConnectionString) },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}")],
            sink,
            watch: new Dictionary<string, string> { ["SampleTimeout"] = "00:00:03" },
            run: false);
        await sessions.OpenIdleInTransactionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await host.Engine.RunOnceAsync(CancellationToken.None);
        Assert.Single(sink.Opened);

        await relay.CutAsync(); // an outage, not an all-clear
        await host.Engine.RunOnceAsync(CancellationToken.None);

        Assert.Empty(sink.Resolved);
        var listing = await host.Engine.ListAsync(CancellationToken.None);
        Assert.Single(listing.OpenIncidents);
        Assert.NotNull(Assert.Single(listing.Targets).LastError);
    }
}
