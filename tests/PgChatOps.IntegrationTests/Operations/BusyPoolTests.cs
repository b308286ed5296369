using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PgChatOps.Activity;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// A slow server, not a full one: the bot's own five pooled connections are all busy with slow reads. A confirmed kill
/// does not queue behind them (and fail when the pool's wait runs out): it takes the lifeline.
/// </summary>
public sealed class BusyPoolTests
{
    [Fact]
    public async Task A_confirmed_kill_is_not_starved_by_slow_reads_holding_every_pooled_connection()
    {
        await using var sessions = await TestSessions.CreateAsync("bp");
        var victim = await sessions.OpenIdleInTransactionAsync();
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Monitoring:StatementTimeout"] = "00:00:30" });
        await core.LifelinePidAsync();
        var preview = await core.SendAsync($"kill {victim.Pid}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        var targets = core.Services.GetRequiredService<TargetRegistry>();
        var reads = await HoldEveryPooledConnectionAsync(targets);

        var clock = Stopwatch.StartNew();
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the kill took {clock.Elapsed} behind the reads");
        Assert.All(reads, r => Assert.False(r.IsCompleted)); // the reads were still running: the kill went past them
        await Task.WhenAll(reads);
    }

    /// <summary>Five slow reads: every pooled connection the bot has on target <c>test</c>, for eight seconds.</summary>
    private static async Task<List<Task>> HoldEveryPooledConnectionAsync(TargetRegistry targets)
    {
        var reads = Enumerable.Range(0, 5).Select(async _ =>
        {
            await using var cmd = await targets.CommandAsync("test", "SELECT pg_sleep(8)", CancellationToken.None);
            await cmd.ExecuteNonQueryAsync();
        }).ToList();
        // All five are running on the server (on a loaded machine the logins take a while).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @app AND query = 'SELECT pg_sleep(8)' AND state = 'active'",
            parameters: [("app", OwnBackends.ApplicationName)]) < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "the five slow reads did not all start");
            await Task.Delay(50);
        }
        return reads;
    }

    [Fact]
    public async Task A_read_that_finds_every_pooled_connection_busy_says_it_is_the_bots_own_limit_not_the_servers()
    {
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Monitoring:StatementTimeout"] = "00:00:30" });
        var targets = core.Services.GetRequiredService<TargetRegistry>();
        var reads = await HoldEveryPooledConnectionAsync(targets);

        var reply = await core.SendAsync("sessions");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal("Could not get an answer from test: the bot's own connections to it are all busy with other commands; try again in a moment [08001].", reply.Title);
        await Task.WhenAll(reads);
    }
}
