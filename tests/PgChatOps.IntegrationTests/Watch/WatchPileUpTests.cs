using PgChatOps.Demo;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Watch;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>A lock pile-up of 200 real waiters, on a cluster of its own so it never competes with other tests for connections.</summary>
public sealed class WatchPileUpTests(ITestOutputHelper output)
{
    private const int Waiters = 200;

    [Fact]
    public async Task A_pile_up_of_200_waiters_produces_one_blocking_alert_naming_the_root_blocker()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var pg = await ThrowawayPostgres.StartAsync();
        output.WriteLine($"{clock.Elapsed}: cluster started");
        await pg.ExecuteAsync("CREATE DATABASE state");
        await using var pile = await RowLockPileUp.StartAsync(pg, Waiters);
        var rootPid = pile.RootPid;
        output.WriteLine($"{clock.Elapsed}: {Waiters} waiters lined up");

        var sink = new RecordingAlertSink();
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["pile"] = pg.ConnectionString },
            pg.ConnectionStringFor("state"),
            [WatchHost.Rule("pile-up", "blocking", "5", target: "pile")],
            sink,
            run: false);
        await host.Engine.RunOnceAsync(CancellationToken.None);
        await host.Engine.RunOnceAsync(CancellationToken.None);
        output.WriteLine($"{clock.Elapsed}: two samples taken");

        var alert = Assert.Single(sink.Opened).Alert;
        Assert.Equal(WatchCondition.Blocking, alert.Condition);
        Assert.Equal(Waiters, alert.Waiters);
        Assert.Equal(Waiters + 1, alert.SessionCount);
        Assert.Equal(rootPid, alert.Sessions[0].Pid); // the root blocker first
        Assert.Equal("pile-root", alert.Sessions[0].Application);
        Assert.Equal(WatchEvaluator.MaxSessionsNamed, alert.Sessions.Count);
        Assert.Contains($"pid {rootPid}", alert.Title, StringComparison.Ordinal);
        var fix = Assert.Single(alert.Fixes, f => f.Kind == AlertFixKind.TerminateRootBlocker);
        Assert.Equal($"kill {rootPid} target=pile", fix.Command);
        Assert.Equal("Terminate root blocker", fix.Label);
    }
}
