using Npgsql;
using PgChatOps.Demo;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// A lock pile-up on a cluster of its own: one root (application <c>pile-root</c>) holds a row lock in an open
/// transaction and <see cref="Waiters"/> backends (application <c>pile-waiter</c>) queue behind it, all as the ordinary
/// role <c>pile_user</c> (a superuser's session is protected from the bot's actions). Disposing stops
/// the cluster first: that ends every backend at once, where cancelling each waiting statement would take far longer.
/// </summary>
internal sealed class RowLockPileUp : IAsyncDisposable
{
    private readonly ThrowawayPostgres _pg;
    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<Task> _waiting = [];

    private RowLockPileUp(ThrowawayPostgres pg, int waiters)
    {
        _pg = pg;
        Waiters = waiters;
    }

    public int Waiters { get; }

    public int RootPid { get; private set; }

    /// <summary>Creates the table <c>pile</c>, takes the root's lock, queues the waiters in batches of 20, and returns once all of them wait.</summary>
    public static async Task<RowLockPileUp> StartAsync(ThrowawayPostgres pg, int waiters)
    {
        var pile = new RowLockPileUp(pg, waiters);
        try
        {
            await pg.ExecuteAsync("CREATE ROLE pile_user LOGIN; CREATE TABLE pile (id int PRIMARY KEY, v int); INSERT INTO pile VALUES (1, 0); GRANT ALL ON pile TO pile_user;");
            var root = await pile.OpenAsync("pile-root");
            await using (var begin = new NpgsqlCommand("BEGIN; UPDATE pile SET v = 1 WHERE id = 1", root))
            {
                await begin.ExecuteNonQueryAsync();
            }
            pile.RootPid = root.ProcessID;
            for (var batch = 0; batch < waiters / 20; batch++)
            {
                foreach (var c in await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => pile.OpenAsync("pile-waiter"))))
                {
                    pile._waiting.Add(Task.Run(async () =>
                    {
                        await using var cmd = new NpgsqlCommand("UPDATE pile SET v = v + 1 WHERE id = 1", c) { CommandTimeout = 0 };
                        await cmd.ExecuteNonQueryAsync();
                    }));
                }
            }
            await pile.WaitForWaitersAsync();
            return pile;
        }
        catch
        {
            await pile.DisposeAsync();
            throw;
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(string app)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_pg.ConnectionStringFor("postgres", "pile_user")) { ApplicationName = app, Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        lock (_connections)
        {
            _connections.Add(conn);
        }
        return conn;
    }

    private async Task WaitForWaitersAsync()
    {
        await using var conn = new NpgsqlConnection(_pg.ConnectionString + ";Pooling=false");
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

    public async ValueTask DisposeAsync()
    {
        await _pg.StopAsync();
        await Task.WhenAll(_waiting.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var c in _connections)
        {
            await c.DisposeAsync();
        }
    }
}
