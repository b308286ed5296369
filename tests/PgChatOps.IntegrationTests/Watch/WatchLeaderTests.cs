using Microsoft.Extensions.DependencyInjection;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>Two replicas sharing one state store, each running the real watch loop.</summary>
public sealed class WatchLeaderTests
{
    private static async Task<(WatchHost A, WatchHost B)> TwoReplicasAsync(TestSessions sessions, RecordingAlertSink sink, string leaseTtl = "00:00:03")
    {
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var targets = new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() };
        IReadOnlyList<IReadOnlyDictionary<string, string>> rules = [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}")];
        var watch = new Dictionary<string, string> { ["LeaseTimeToLive"] = leaseTtl };
        var a = await WatchHost.StartAsync(targets, state, rules, sink, watch);
        var b = await WatchHost.StartAsync(targets, state, rules, sink, watch);
        return (a, b);
    }

    [Fact]
    public async Task Two_replicas_sharing_one_state_store_post_one_alert_not_two()
    {
        await using var sessions = await TestSessions.CreateAsync("wl");
        var sink = new RecordingAlertSink();
        var (a, b) = await TwoReplicasAsync(sessions, sink);
        await using var _ = a;
        await using var __ = b;

        await sessions.OpenIdleInTransactionAsync();
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several more ticks of both replicas

        Assert.Single(sink.Opened);
        Assert.Single(sink.Calls.Select(c => c.MessageRef).Distinct());
        Assert.NotEqual(a.Engine.IsLeader, b.Engine.IsLeader);
        var listing = await a.Engine.ListAsync(CancellationToken.None);
        Assert.Equal(b.Engine.IsLeader ? b.Engine.Holder : a.Engine.Holder, listing.Leader);
    }

    [Fact]
    public async Task Stopping_the_leader_hands_sampling_over_without_a_duplicate_alert()
    {
        await using var sessions = await TestSessions.CreateAsync("wh");
        var sink = new RecordingAlertSink();
        var (a, b) = await TwoReplicasAsync(sessions, sink, leaseTtl: "00:01:00");
        await using var _ = a;
        await using var __ = b;
        var idle = await sessions.OpenIdleInTransactionAsync();
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var (leader, follower) = a.Engine.IsLeader ? (a, b) : (b, a);
        Assert.False(follower.Engine.IsLeader);

        // A rolling deployment stops the leader: it gives the lease up (a one-minute lease would otherwise hold the follower off).
        await leader.StopAsync();
        var callsBefore = sink.Calls.Count;
        await sink.WaitForAsync(_ => follower.Engine.IsLeader, TimeSpan.FromSeconds(5), "the follower to take over");
        await sink.WaitForAsync(s => s.Calls.Count > callsBefore && s.Updated.Count > 0, TimeSpan.FromSeconds(5), "the new leader to update the alert");

        var opened = Assert.Single(sink.Opened);
        Assert.All(sink.Updated, u => Assert.Equal(opened.MessageRef, u.MessageRef));
        Assert.Equal(idle.Pid, Assert.Single(sink.Updated[^1].Alert.Sessions).Pid);
    }

    [Fact]
    public async Task A_dead_leaders_lease_is_taken_over_once_it_expires_by_the_state_stores_clock()
    {
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var sink = new RecordingAlertSink();
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "10m")],
            sink,
            run: false);
        var lease = host.Services.GetRequiredService<WatchLease>();

        // A replica that took the lease for 2 s and then died (no renewal, no release).
        Assert.True(await lease.TryAcquireAsync("dead-replica", TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.False(await host.Engine.RunOnceAsync(CancellationToken.None));

        var waited = await sink.WaitForAsync(_ => host.Engine.RunOnceAsync(CancellationToken.None).GetAwaiter().GetResult(),
            TimeSpan.FromSeconds(10), "the lease to pass to the live replica");
        Assert.True(waited < TimeSpan.FromSeconds(4), $"took {waited}");
        Assert.Equal(host.Engine.Holder, (await lease.CurrentAsync(CancellationToken.None))?.Holder);
        Assert.False(await lease.TryAcquireAsync("dead-replica", TimeSpan.FromSeconds(2), CancellationToken.None));
    }
}
