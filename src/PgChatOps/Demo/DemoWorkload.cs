using Npgsql;

namespace PgChatOps.Demo;

/// <summary>
/// Sample activity for the console demo: several roles, databases and applications, a long query,
/// idle-in-transaction sessions and a lock chain (etl blocks api-server, which blocks billing).
/// </summary>
public sealed class DemoWorkload : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<Task> _waiting = [];
    private readonly CancellationTokenSource _stop = new();

    public static async Task<DemoWorkload> StartAsync(ThrowawayPostgres pg, CancellationToken ct)
    {
        await pg.ExecuteAsync("""
            CREATE ROLE app LOGIN;
            CREATE ROLE reporting LOGIN;
            CREATE ROLE etl LOGIN;
            CREATE ROLE analyst LOGIN;
            """, ct: ct);
        await pg.ExecuteAsync("CREATE DATABASE shop", ct: ct);
        await pg.ExecuteAsync("CREATE DATABASE analytics", ct: ct);
        await pg.ExecuteAsync("""
            CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, total numeric NOT NULL);
            INSERT INTO orders SELECT g, 'open', g * 10 FROM generate_series(1, 1000) g;
            GRANT ALL ON orders TO app, etl, analyst, reporting;
            """, "shop", ct);

        var w = new DemoWorkload();
        // Idle application connections.
        for (var i = 0; i < 3; i++)
        {
            await w.OpenAsync(pg, "shop", "app", "api-server", "SELECT count(*) FROM orders WHERE status = 'open'", ct);
        }
        // A long report.
        await w.OpenAsync(pg, "analytics", "reporting", "metabase", null, ct, background: "SELECT pg_sleep(3600) /* monthly revenue report */");
        // Forgotten transactions.
        await w.OpenAsync(pg, "shop", "app", "api-server", "BEGIN; SELECT * FROM orders WHERE id = 500", ct);
        await w.OpenAsync(pg, "shop", "analyst", "psql", "BEGIN; SELECT sum(total) FROM orders", ct);
        // A lock chain: etl holds row 1; api-server holds row 2 and waits for row 1; billing waits for row 2.
        await w.OpenAsync(pg, "shop", "etl", "nightly-etl", "BEGIN; UPDATE orders SET status = 'archived' WHERE id = 1", ct);
        var middle = await w.OpenAsync(pg, "shop", "app", "api-server", "BEGIN; UPDATE orders SET status = 'paid' WHERE id = 2", ct);
        w.RunInBackground(middle, "UPDATE orders SET status = 'paid' WHERE id = 1");
        await Task.Delay(200, ct);
        await w.OpenAsync(pg, "shop", "app", "billing", null, ct, background: "UPDATE orders SET status = 'refunded' WHERE id = 2");
        await Task.Delay(300, ct);
        return w;
    }

    private async Task<NpgsqlConnection> OpenAsync(
        ThrowawayPostgres pg, string db, string user, string app, string? sql, CancellationToken ct, string? background = null)
    {
        var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionStringFor(db, user)) { ApplicationName = app, Pooling = false };
        var conn = new NpgsqlConnection(cs.ConnectionString);
        await conn.OpenAsync(ct);
        _connections.Add(conn);
        if (sql is not null)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (background is not null)
        {
            RunInBackground(conn, background);
        }
        return conn;
    }

    private void RunInBackground(NpgsqlConnection conn, string sql)
    {
        _waiting.Add(Task.Run(async () =>
        {
            try
            {
                await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
                await cmd.ExecuteNonQueryAsync(_stop.Token);
            }
            catch (Exception)
            {
                // Killed or cancelled from the chat: that is the point of the demo.
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // A connection is not thread-safe: let each background statement finish its cancellation before its
        // connection is closed, or a close racing a cancel can wait forever. The server is stopped next anyway.
        try
        {
            await Task.WhenAll(_waiting).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Killed from the chat, cancelled, or still stuck: the connections are closed below regardless.
        }
        foreach (var c in _connections)
        {
            try
            {
                await c.DisposeAsync();
            }
            catch (Exception)
            {
                // Already terminated from the chat.
            }
        }
        _stop.Dispose();
    }
}
