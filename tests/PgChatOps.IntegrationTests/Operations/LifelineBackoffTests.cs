using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Demo;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// A lifeline that something keeps ending (a reaper of unknown sessions, a pooler failing every first query) is
/// re-opened with backoff, not in a tight loop: the bot must not add a login storm to a server in trouble.
/// </summary>
public sealed class LifelineBackoffTests
{
    [Fact]
    public async Task A_lifeline_ended_again_and_again_is_reopened_with_backoff_and_held_again_once_the_reaper_stops()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var core = await CoreHost.StartAsync(
            new Dictionary<string, string?> { ["Monitoring:LifelineCheckInterval"] = "00:00:00.100" },
            targetConnectionString: pg.ConnectionString);
        var lifeline = core.Services.GetRequiredService<TargetRegistry>().Lifeline("test");
        await Lifelines.HeldAsync(lifeline);

        // The reaper: every 5 ms, for 4 seconds, ends every backend the bot opens on this server.
        var ended = new HashSet<int>();
        await using (var reaper = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false;Application Name=reaper"))
        {
            await reaper.OpenAsync();
            var until = DateTime.UtcNow.AddSeconds(4);
            while (DateTime.UtcNow < until)
            {
                // The subquery picks the bot's backends first: a plain WHERE may call pg_terminate_backend on any row.
                await using var cmd = new NpgsqlCommand(
                    $"SELECT pid FROM (SELECT pid FROM pg_stat_activity WHERE application_name = '{OwnBackends.ApplicationName}' OFFSET 0) s WHERE pg_terminate_backend(pid)", reaper);
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    ended.Add(r.GetInt32(0));
                }
                await Task.Delay(5);
            }
        }

        // Backoff 1, 2, 4 s: the first lifeline and at most three more logins in 4 s (a tight loop made dozens).
        Assert.InRange(ended.Count, 1, 4);
        // Held again once the reaper stops: a new backend, not one it ended (the lifeline may report an ended one until
        // its next check notices).
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (!(lifeline.Pid is { } pid && !ended.Contains(pid)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the lifeline was not held again: {lifeline.LastError}");
            await Task.Delay(50);
        }
    }
}
