using PgChatOps.Demo;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>
/// The worst incident of all is a target that does not answer: the watch says so in each channel its rules post to,
/// once, and marks it resolved when the target answers again. The state store lives elsewhere, as in production.
/// </summary>
public sealed class WatchNotAnsweringTests
{
    [Fact]
    public async Task A_crashed_target_gets_one_alert_per_channel_and_it_resolves_when_the_server_is_back()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["crashy"] = pg.ConnectionString },
            state,
            [
                WatchHost.Rule("idle-tx", "idle-in-transaction", "1m"),
                WatchHost.Rule("long", "long-running", "5m"),
                WatchHost.Rule("full", "connections", "90%", channel: "C-CAPACITY"),
            ],
            sink,
            watch: new Dictionary<string, string> { ["UnreachableAfter"] = "00:00:01", ["SampleTimeout"] = "00:00:02" });
        await sink.WaitForAsync(_ => Status(host).Samples > 2 && Status(host).LastError is null, TimeSpan.FromSeconds(10), "samples that answer");
        Assert.Empty(sink.Opened);

        var crashed = DateTimeOffset.UtcNow;
        await pg.CrashAsync();
        await sink.WaitForAsync(s => s.Opened.Count >= 2, TimeSpan.FromSeconds(15), "an alert in each channel");

        // One per channel, not one per rule: two rules post to C-ALERTS, one to C-CAPACITY.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var opened = sink.Opened.Select(o => o.Alert).OrderBy(a => a.Channel, StringComparer.Ordinal).ToList();
        Assert.Equal(["C-ALERTS", "C-CAPACITY"], opened.Select(a => a.Channel));
        Assert.Equal(["idle-tx", "full"], opened.Select(a => a.Rule));
        Assert.All(opened, a =>
        {
            Assert.StartsWith("crashy is not answering: ", a.Title, StringComparison.Ordinal);
            Assert.Empty(a.Fixes);
            Assert.Empty(a.FixActions);
            Assert.NotNull(a.Snooze);
            var since = Assert.IsType<AlertNotAnswering>(a.NotAnswering).Since;
            Assert.InRange(since, crashed.AddSeconds(-2), crashed.AddSeconds(1));
            var message = a.Message;
            Assert.StartsWith("🚨 crashy is not answering: ", message.Title, StringComparison.Ordinal);
            Assert.Contains(message.Fields, f => f.Name == "no answer since");
            Assert.Null(message.Table);
            Assert.Empty(message.Buttons);
        });
        // A refused connection says so, with its SQLSTATE, in the words the user sees elsewhere.
        Assert.Contains("[08001]", opened[0].Title, StringComparison.Ordinal);

        await pg.StartAgainAsync();
        await sink.WaitForAsync(s => s.Resolved.Count >= 2, TimeSpan.FromSeconds(20), "both alerts resolved");

        var resolved = sink.Resolved.Select(r => r.Alert).ToList();
        Assert.Equal(opened.Select(a => a.Id).Order(), resolved.Select(a => a.Id).Order());
        Assert.All(resolved, a => Assert.Matches(@"^crashy answers again, after \d+ seconds? without an answer$", a.Title));
        Assert.Equal(2, sink.Opened.Count);
        Assert.Empty((await host.Engine.ListAsync(CancellationToken.None)).OpenIncidents);
    }

    [Fact]
    public async Task With_UnreachableAfter_zero_a_crashed_target_is_only_logged_and_counted()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["quiet"] = pg.ConnectionString },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1m")],
            sink,
            watch: new Dictionary<string, string> { ["UnreachableAfter"] = "00:00:00", ["SampleTimeout"] = "00:00:01" });
        await sink.WaitForAsync(_ => Status(host, "quiet").Samples > 2, TimeSpan.FromSeconds(10), "samples that answer");

        await pg.CrashAsync();
        await sink.WaitForAsync(_ => Status(host, "quiet").LastError is not null, TimeSpan.FromSeconds(10), "a failed sample");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Empty(sink.Calls);
        Assert.Contains("[08001]", Status(host, "quiet").LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_next_leader_continues_the_alert_found_by_its_channel_and_keeps_when_the_silence_began()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var relay = TcpRelay.To(pg.Port);
        var target = new Dictionary<string, string> { ["crashy"] = relay.ConnectionString(pg.ConnectionString) };
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var watch = new Dictionary<string, string> { ["UnreachableAfter"] = "00:00:01", ["SampleTimeout"] = "00:00:02", ["LeaseTimeToLive"] = "00:00:03" };
        var first = new RecordingAlertSink();
        var host = await WatchHost.StartAsync(target, state, [WatchHost.Rule("idle-tx", "idle-in-transaction", "1m")], first, watch);
        await first.WaitForAsync(_ => Status(host).Samples > 2 && Status(host).LastError is null, TimeSpan.FromSeconds(10), "samples that answer");
        await pg.CrashAsync();
        await first.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(15), "the alert");
        var alert = Assert.Single(first.Opened).Alert;
        await host.DisposeAsync();

        // The next leader has one more rule posting to the same channel, listed first.
        var next = new RecordingAlertSink();
        await using var successor = await WatchHost.StartAsync(target, state,
            [WatchHost.Rule("aaa", "long-running", "5m"), WatchHost.Rule("idle-tx", "idle-in-transaction", "1m")], next, watch);
        await next.WaitForAsync(_ => Status(successor).LastError is not null, TimeSpan.FromSeconds(10), "the successor's failed samples");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await relay.CutAsync(); // nothing listens any more: the reason changes, so the message is edited
        await next.WaitForAsync(s => s.Updated.Count > 0, TimeSpan.FromSeconds(15), "the edited alert");

        Assert.Empty(next.Opened);
        var edited = Assert.Single(next.Updated.Select(u => u.Alert).DistinctBy(a => a.Id));
        Assert.Equal(alert.Id, edited.Id);
        Assert.Equal("C-ALERTS", edited.Channel);
        Assert.Equal(alert.NotAnswering!.Since, edited.NotAnswering!.Since);
        Assert.NotEqual(alert.Title, edited.Title);
        Assert.Single((await successor.Engine.ListAsync(CancellationToken.None)).OpenIncidents);
    }

    [Fact]
    public async Task An_alert_on_a_target_nobody_watches_any_more_is_resolved_by_the_next_leader()
    {
        await using var sessions = await TestSessions.CreateAsync("wu");
        var cs = await TestDatabase.ConnectionStringAsync();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var first = new RecordingAlertSink();
        var host = await WatchHost.StartAsync(new Dictionary<string, string> { ["test"] = cs }, state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}")], first);
        await sessions.OpenIdleInTransactionAsync();
        await first.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "the alert");
        var opened = Assert.Single(first.Opened);
        await host.DisposeAsync();

        // Decommissioned: the next configuration no longer has a rule on 'test'.
        var next = new RecordingAlertSink();
        await using var successor = await WatchHost.StartAsync(new Dictionary<string, string> { ["elsewhere"] = cs }, state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1h", filter: "app=nothing-matches-this")], next);
        await next.WaitForAsync(s => s.Resolved.Count > 0, TimeSpan.FromSeconds(15), "the orphan's resolution");

        var resolved = Assert.Single(next.Resolved);
        Assert.Equal(opened.MessageRef, resolved.MessageRef);
        Assert.StartsWith("No longer watched (no rule on test): ", resolved.Alert.Title, StringComparison.Ordinal);
        Assert.Empty(resolved.Alert.FixActions);
        Assert.Empty((await successor.Engine.ListAsync(CancellationToken.None)).OpenIncidents);
    }

    private static TargetWatchStatus Status(WatchHost host, string target = "crashy") =>
        host.Engine.TargetStatus().Single(t => t.Target == target);
}
