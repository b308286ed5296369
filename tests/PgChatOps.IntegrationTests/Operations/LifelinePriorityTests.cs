using PgChatOps.Demo;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// The lifeline serves actions first: in a storm, reads wait for it only briefly and then answer a plain sentence,
/// and a confirmed kill is not queued behind them. A small cluster of the test's own, filled by ordinary logins;
/// the state store is on the shared test server, so only the target's lifeline is under test.
/// </summary>
public sealed class LifelinePriorityTests(ITestOutputHelper output)
{
    private const string Busy = "the server is full and the bot's one reserved connection is busy with another command; try again in a moment [53300]";

    /// <summary>A cluster of the test's own with 22 ordinary slots, the bot's role from the manifest and a role "storm".</summary>
    private static async Task<ThrowawayPostgres> SmallClusterAsync()
    {
        var pg = await ThrowawayPostgres.StartAsync(settings: ["max_connections=25", "superuser_reserved_connections=3"]);
        await pg.ExecuteAsync("CREATE DATABASE app");
        await LeastPrivilegeRole.ApplyAsync("app", pg);
        await pg.ExecuteAsync("CREATE ROLE storm LOGIN", "app");
        return pg;
    }

    /// <summary>The bot as the least-privilege role on that cluster, its pool pruned after a second of idleness.</summary>
    private static Task<CoreHost> BotAsync(ThrowawayPostgres pg) =>
        CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:PoolIdleLifetime"] = "00:00:01",
            ["Monitoring:LifelineCheckInterval"] = "00:00:00.200",
        }, targetConnectionString: pg.ConnectionStringFor("app", LeastPrivilegeRole.Name) + $";Password={LeastPrivilegeRole.Password}");

    [Fact]
    public async Task During_a_storm_a_kill_is_not_queued_behind_reads_on_the_lifeline()
    {
        await using var pg = await SmallClusterAsync();
        await using var core = await BotAsync(pg);
        var lifeline = core.Services.GetRequiredService<TargetRegistry>().Lifeline("test");
        await Lifelines.HeldAsync(lifeline);

        // Once used, then idle for longer than the pool keeps connections: only the lifeline remains on the cluster.
        Assert.Equal(ReplyKind.Info, (await core.SendAsync("sessions")).Kind);
        await ConnectionStorm.WaitForAsync(async () => await ConnectionStorm.ScalarAsync<long>(pg,
            $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{OwnBackends.ApplicationName}'") == 1, "the pool to close its idle connections", pollMilliseconds: 20);

        const string app = "storm_prio";
        await using var storm = await ConnectionStorm.FillAsync(pg, "app", "storm", app);
        var n = storm.Connections.Count;
        output.WriteLine($"{n} ordinary logins, then: {storm.Refusal}");
        var preview = await core.SendAsync($"kill app={app}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        // A slow read holds the lifeline (the test takes its gate), and ten people ask for sessions meanwhile.
        var gate = lifeline.Gate;
        Assert.True(await gate.EnterAsync(LifelineUse.Read, Timeout.InfiniteTimeSpan, CancellationToken.None));
        var released = false;
        try
        {
            var reads = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var reply = await core.SendAsync($"sessions app={app}");
                return (Reply: reply, Took: Stopwatch.GetElapsedTime(started));
            })).ToList();
            await ConnectionStorm.WaitForAsync(() => Task.FromResult(gate.Waiting.Reads > 0 || reads.Any(r => r.IsCompleted)), "the reads to wait for the lifeline", pollMilliseconds: 20);

            // The kill is confirmed while reads wait: its signal waits for the lifeline as an action.
            var click = Task.Run(() => core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm));
            await ConnectionStorm.WaitForAsync(() => Task.FromResult(gate.Waiting.Actions == 1 || click.IsCompleted), "the kill to wait for the lifeline", pollMilliseconds: 20);
            Assert.False(click.IsCompleted, "the kill must wait for the busy lifeline, not fail");
            output.WriteLine($"waiting (actions, reads) while the slow read runs: {gate.Waiting}");

            // Reads that could not get the lifeline answer a plain sentence instead of hanging.
            var answered = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(60));
            foreach (var (reply, took) in answered)
            {
                output.WriteLine($"{took.TotalMilliseconds:0} ms: {reply.Title}");
                Assert.Equal(ReplyKind.Error, reply.Kind);
                Assert.Equal($"Could not get an answer from test: {Busy}.", reply.Title);
                Assert.True(took < TimeSpan.FromSeconds(30), $"a read waited {took}");
            }

            // More people ask while the kill still waits; then the slow read ends: the kill goes next, ahead of
            // the reads that queued before it was done, and completes promptly.
            var more = Enumerable.Range(0, 5).Select(_ => Task.Run(() => core.SendAsync($"sessions app={app}"))).ToList();
            await ConnectionStorm.WaitForAsync(() => Task.FromResult(gate.Waiting.Reads > 0 || more.Any(r => r.IsCompleted)), "more reads to wait for the lifeline", pollMilliseconds: 20);
            output.WriteLine($"waiting (actions, reads) when the slow read ends: {gate.Waiting}");
            var sinceRelease = Stopwatch.StartNew();
            gate.Release();
            released = true;
            var outcome = await click.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{sinceRelease.ElapsedMilliseconds} ms after the slow read ended: {outcome.Title}");
            Assert.StartsWith($"Terminated {n} of {n} sessions", outcome.Title, StringComparison.Ordinal);
            Assert.True(sinceRelease.Elapsed < TimeSpan.FromSeconds(30), $"the kill took {sinceRelease.Elapsed} after the lifeline was free");

            // The later reads answer too, one way or the other: the sessions, or the plain sentence.
            foreach (var reply in await Task.WhenAll(more).WaitAsync(TimeSpan.FromSeconds(60)))
            {
                output.WriteLine(reply.Title);
                Assert.True(reply.Kind == ReplyKind.Info || reply.Title == $"Could not get an answer from test: {Busy}.", reply.Title);
            }
        }
        finally
        {
            if (!released)
            {
                gate.Release();
            }
        }
        Assert.Equal(0L, await ConnectionStorm.ScalarAsync<long>(pg, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{app}'"));
        await pg.StopAsync();
    }

    [Fact]
    public async Task A_waiting_action_takes_the_lifeline_before_reads_that_waited_longer()
    {
        await using var pg = await SmallClusterAsync();
        await using var core = await BotAsync(pg);
        var registry = core.Services.GetRequiredService<TargetRegistry>();
        var lifeline = registry.Lifeline("test");
        await Lifelines.HeldAsync(lifeline);
        await ConnectionStorm.WaitForAsync(async () => await ConnectionStorm.ScalarAsync<long>(pg,
            $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{OwnBackends.ApplicationName}'") == 1, "only the lifeline on the cluster", pollMilliseconds: 20);
        await using var storm = await ConnectionStorm.FillAsync(pg, "app", "storm", "storm_order");

        // A read holds the lifeline; another read queues, then an action; the first read ends within the read's wait.
        await using var slow = await registry.CommandAsync("test", "SELECT 1", CancellationToken.None);
        Assert.True(await IsOnLifelineAsync(slow, lifeline));
        var order = new List<string>();
        var read = Task.Run(async () =>
        {
            await using var cmd = await registry.CommandAsync("test", "SELECT 1", CancellationToken.None);
            lock (order)
            {
                order.Add("read");
            }
        });
        await ConnectionStorm.WaitForAsync(() => Task.FromResult(lifeline.Gate.Waiting.Reads == 1), "the read to wait", pollMilliseconds: 20);
        var action = Task.Run(async () =>
        {
            await using var lease = await registry.OpenAsync("test", CancellationToken.None);
            Assert.True(lease.OnLifeline);
            lock (order)
            {
                order.Add("action");
            }
            await Task.Delay(200);
        });
        await ConnectionStorm.WaitForAsync(() => Task.FromResult(lifeline.Gate.Waiting.Actions == 1), "the action to wait", pollMilliseconds: 20);
        await slow.DisposeAsync();

        await action.WaitAsync(TimeSpan.FromSeconds(30));
        // The read either got the lifeline after the action, or gave up waiting; never before the action.
        try
        {
            await read.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (LifelineBusyException)
        {
        }
        Assert.Equal("action", order[0]);
        await pg.StopAsync();
    }

    private static async Task<bool> IsOnLifelineAsync(NpgsqlCommand cmd, Lifeline lifeline)
    {
        await cmd.ExecuteNonQueryAsync();
        return cmd.Connection!.ProcessID == lifeline.Pid;
    }

}
