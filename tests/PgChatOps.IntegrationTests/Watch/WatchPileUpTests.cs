using PgChatOps.Demo;
using Npgsql;
using Xunit.Abstractions;
using PgChatOps.Hosting;
using PgChatOps.Watch;

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
        await pg.ExecuteAsync("CREATE TABLE pile (id int PRIMARY KEY, v int); INSERT INTO pile VALUES (1, 0);");
        var connections = new List<NpgsqlConnection>();
        var background = new List<Task>();
        try
        {
            var root = await OpenAsync(pg, "pile-root", connections);
            await using (var begin = new NpgsqlCommand("BEGIN; UPDATE pile SET v = 1 WHERE id = 1", root))
            {
                await begin.ExecuteNonQueryAsync();
            }
            int rootPid;
            await using (var pid = new NpgsqlCommand("SELECT pg_backend_pid()", root))
            {
                rootPid = (int)(await pid.ExecuteScalarAsync())!;
            }
            for (var batch = 0; batch < Waiters / 20; batch++)
            {
                var opened = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => OpenAsync(pg, "pile-waiter", connections)));
                foreach (var c in opened)
                {
                    background.Add(Task.Run(async () =>
                    {
                        await using var cmd = new NpgsqlCommand("UPDATE pile SET v = v + 1 WHERE id = 1", c) { CommandTimeout = 0 };
                        await cmd.ExecuteNonQueryAsync();
                    }));
                }
            }
            await WaitForWaitersAsync(pg);
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
        finally
        {
            // Stopping the cluster ends 201 backends at once; cancelling each waiting statement would take far longer.
            await pg.StopAsync();
            await Task.WhenAll(background.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
            output.WriteLine($"{clock.Elapsed}: cleaned up");
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(ThrowawayPostgres pg, string app, List<NpgsqlConnection> all)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg.ConnectionString) { ApplicationName = app, Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        lock (all)
        {
            all.Add(conn);
        }
        return conn;
    }

    private static async Task WaitForWaitersAsync(ThrowawayPostgres pg)
    {
        await using var conn = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'pile-waiter'", conn);
            if ((long)(await cmd.ExecuteScalarAsync())! == Waiters)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Waiters} waiters did not line up");
            }
            await Task.Delay(100);
        }
    }
}
