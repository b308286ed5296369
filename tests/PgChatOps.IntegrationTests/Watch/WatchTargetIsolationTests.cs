using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>A slow or hung target costs only itself: the others are sampled and alerted on time.</summary>
public sealed class WatchTargetIsolationTests
{
    [Fact]
    public async Task A_hung_target_does_not_delay_alerts_from_a_healthy_one()
    {
        await using var sessions = await TestSessions.CreateAsync("wg");
        await using var hung = TcpRelay.Hang();
        var sink = new RecordingAlertSink();
        await using var host = await HungAndHealthyAsync(sessions, hung, sink, new Dictionary<string, string> { ["SampleTimeout"] = "00:00:05" });

        await sessions.OpenIdleInTransactionAsync();
        var waited = await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert from the healthy target");

        // Due after 1 s plus at most two 200 ms intervals; the hung target's 5 s timeout plays no part.
        Assert.True(waited < TimeSpan.FromSeconds(2.5), $"the healthy target's alert took {waited}");
        Assert.Equal("healthy", Assert.Single(sink.Opened).Alert.Target);
        await sink.WaitForAsync(_ => Status(host, "hung").Skipped > 0, TimeSpan.FromSeconds(5), "the hung target's turns to be skipped");
        Assert.True(Status(host, "hung").Busy);
        Assert.Equal(2, hung.Accepted); // the sampler's one attempt in flight, nothing queued behind it; and the bot's lifeline
    }

    [Fact]
    public async Task A_slow_targets_sample_is_skipped_while_it_runs_not_queued()
    {
        await using var sessions = await TestSessions.CreateAsync("wq");
        var pg = await TestDatabase.GetAsync();
        // Every reply from the server is held back 400 ms: a sample takes longer than the 200 ms interval.
        await using var slow = TcpRelay.To(pg.Port, TimeSpan.FromMilliseconds(400));
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["slow"] = slow.ConnectionString(pg.ConnectionString) },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}")],
            sink);

        await sessions.OpenIdleInTransactionAsync();
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(15), "an alert from the slow target");
        await sink.WaitForAsync(_ => Status(host, "slow").Skipped >= 3, TimeSpan.FromSeconds(10), "skipped turns");

        var status = Status(host, "slow");
        Assert.Single(sink.Opened);
        Assert.True(status.LastDuration > TimeSpan.FromMilliseconds(200), $"a sample took {status.LastDuration}");
        Assert.Equal(2, slow.MaxOpenAtOnce); // never two samples of the target at once: one sample, and the bot's lifeline
        Assert.Null(status.LastError);
    }

    [Fact]
    public async Task A_hung_target_is_reported_as_not_answering_while_a_healthy_one_alerts_as_usual()
    {
        await using var sessions = await TestSessions.CreateAsync("wn");
        await using var hung = TcpRelay.Hang();
        var sink = new RecordingAlertSink();
        await using var host = await HungAndHealthyAsync(sessions, hung, sink,
            new Dictionary<string, string> { ["UnreachableAfter"] = "00:00:02", ["SampleTimeout"] = "00:00:01" });

        await sessions.OpenIdleInTransactionAsync();
        await sink.WaitForAsync(s => s.Opened.Count >= 2, TimeSpan.FromSeconds(15), "the healthy target's alert and the hung one's");

        var healthy = Assert.Single(sink.Opened, o => o.Alert.Target == "healthy").Alert;
        Assert.Null(healthy.NotAnswering);
        Assert.Single(healthy.Sessions);
        var silent = Assert.Single(sink.Opened, o => o.Alert.Target == "hung").Alert;
        Assert.Equal("hung is not answering: did not answer within 1 second", silent.Title);
        // The hung sample still holds its turn: skipped turns keep the alert, and never open a second one.
        await sink.WaitForAsync(_ => Status(host, "hung").Skipped > 5, TimeSpan.FromSeconds(10), "skipped turns");
        Assert.Equal(2, sink.Opened.Count);
    }

    /// <summary>Targets <c>healthy</c> (the test server) and <c>hung</c> (the relay), one idle-in-transaction rule on both, state elsewhere.</summary>
    private static async Task<WatchHost> HungAndHealthyAsync(TestSessions sessions, TcpRelay hung, RecordingAlertSink sink, Dictionary<string, string> watch)
    {
        var pg = await TestDatabase.GetAsync();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        return await WatchHost.StartAsync(
            new Dictionary<string, string>
            {
                ["healthy"] = await TestDatabase.ConnectionStringAsync(),
                ["hung"] = hung.ConnectionString(pg.ConnectionString),
            },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}", target: "*")],
            sink,
            watch: watch);
    }

    private static PgChatOps.Watch.TargetWatchStatus Status(WatchHost host, string target) =>
        host.Engine.TargetStatus().Single(t => t.Target == target);
}
