using PgChatOps.Demo;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Benchmarks;

/// <summary>
/// What <c>/pg blocking</c> costs the server in a lock pile-up: a migration holds ACCESS EXCLUSIVE on a table and
/// <see cref="Sizes"/> application queries queue behind it. Server time per statement comes from
/// pg_stat_statements (mean execution time) on a throwaway server started with it preloaded; the bot's statement
/// is compared with the bare <c>pg_blocking_pids</c> query, and with the statement as it was before it read
/// pg_locks once (kept here verbatim), in interleaved rounds of one run. Every statement gets the same warm-up
/// rounds and the same number of measured calls, and all three run on the same backend (the bot's pool, used one
/// statement at a time): <c>pg_blocking_pids</c> allocates and frees a few hundred kilobytes per call, and whether
/// glibc hands that back to the system each time depends on the backend's heap, so the same bare query was seen
/// to take 9 ms on one backend and 22 ms on another of the same server. Across backends the ratio measured that. Planning is tracked too but kept apart: execution time never
/// includes it, and the bot's statement, with more to plan, takes longer to plan than the bare query.
/// </summary>
public sealed class PileUpCost : IAsyncDisposable
{
    public static readonly int[] Sizes = [1000, 3000];

    public const string BareSql = "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'";

    /// <summary><c>blocking</c>'s statement before issue #9: one pg_locks scan per involved row.</summary>
    public const string BeforeSql = """
        WITH w AS (
            SELECT a.pid, pg_blocking_pids(a.pid) AS blocked_by
            FROM pg_stat_activity a
            WHERE a.wait_event_type = 'Lock'
        ), involved AS (
            SELECT pid FROM w WHERE cardinality(blocked_by) > 0
            UNION
            SELECT unnest(blocked_by) FROM w
        )
        SELECT a.pid, a.backend_start, a.usename, a.datname, a.application_name,
            CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr)
                 WHEN a.client_port = -1 THEN 'local' END AS client,
            a.state, a.wait_event_type, a.wait_event, a.xact_start, a.query_start, a.state_change,
            now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.state_change END AS in_state,
            CASE WHEN @show_query THEN left(a.query, @query_len) END AS query,
            a.backend_type,
            coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = a.usesysid), false) AS is_superuser,
            (a.pid = pg_backend_pid() OR a.application_name = 'pgchatops') AS is_own,
            a.leader_pid,
            coalesce(w.blocked_by, ARRAY[]::int[]) AS blocked_by,
            (SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS wait_start
        FROM pg_stat_activity a
        JOIN involved i ON i.pid = a.pid
        LEFT JOIN w ON w.pid = a.pid
        """;

    private static readonly ChatRequest BlockingRequest =
        new(Platform.Console, "bench", "bench", null, new ChatUser("bench", "bench", []), "/pg blocking");

    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<Task> _waits = [];
    private ThrowawayPostgres? _server;
    private IHost? _host;

    /// <summary>
    /// Mean server milliseconds per statement at one pile-up size, and the fastest call of each: on a shared
    /// machine the minimum is the figure least disturbed by neighbours.
    /// </summary>
    public sealed record Point(int Waiters, double Bare, double Bot, double Before, double BareMin, double BotMin, double BeforeMin, long Calls)
    {
        /// <summary>Mean planning milliseconds of the bare query and of the bot's statement.</summary>
        public (double Bare, double Bot) Planning { get; init; }

        /// <summary>How many backends the bot's pool handed out for the measured statements.</summary>
        public int PoolBackends { get; init; }
    }

    public async Task<IReadOnlyList<Point>> RunAsync(int rounds, TextWriter log)
    {
        var most = Sizes.Max();
        log.WriteLine($"Starting a throwaway PostgreSQL with max_connections={most + 100} and pg_stat_statements…");
        _server = await ThrowawayPostgres.StartAsync(settings:
        [
            $"max_connections={most + 100}",
            "shared_preload_libraries=pg_stat_statements",
            "pg_stat_statements.track=top",
            "pg_stat_statements.track_planning=on",
        ]);
        await _server.ExecuteAsync("CREATE EXTENSION pg_stat_statements; CREATE TABLE migrated (id int)");
        await _server.ExecuteAsync("CREATE DATABASE bench_state");
        _host = await BenchHost.StartAsync(new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:main:ConnectionString"] = _server.ConnectionString,
            ["PgChatOps:DefaultTarget"] = "main",
            ["PgChatOps:StateConnectionString"] = _server.ConnectionStringFor("bench_state"),
        });
        var pipeline = _host.Services.GetRequiredService<CommandPipeline>();
        var reader = _host.Services.GetRequiredService<ActivityReader>();
        var targets = _host.Services.GetRequiredService<TargetRegistry>();
        var probe = await OpenAsync();

        // The migration: holds ACCESS EXCLUSIVE until the end of the run.
        var migration = await OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN; LOCK TABLE migrated IN ACCESS EXCLUSIVE MODE", migration))
        {
            await begin.ExecuteNonQueryAsync();
        }

        var points = new List<Point>();
        foreach (var size in Sizes)
        {
            log.WriteLine($"Queueing application queries behind the migration until {size} wait…");
            await QueueWaitersAsync(size - _waits.Count);
            await WaitForWaitersAsync(probe, size);

            // Warm-up through the whole command, so the real /pg blocking is seen to answer in the pile-up.
            for (var i = 0; i < 5; i++)
            {
                await RoundAsync(() => pipeline.HandleAsync(BlockingRequest, CancellationToken.None), targets, size);
            }
            await ExecuteAsync(probe, "SELECT pg_stat_statements_reset()");
            // Measured: the bot's statement as its reader sends it, on its pool, with the reply built from it. Not
            // the whole command: that writes its audit record at the same time, on this same server, and on a
            // machine of two CPUs that insert would slow the bot's statement where the bare query runs alone.
            for (var i = 0; i < rounds; i++)
            {
                await RoundAsync(async () => Replies.Replies.Blocking("main", await reader.BlockingAsync("main", CancellationToken.None), DateTimeOffset.UtcNow), targets, size);
            }
            var backends = await PoolBackendsAsync(targets);
            var point = await ReadStatementsAsync(probe, size) with { PoolBackends = backends };
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {size} waiters: bare {point.Bare:0.00} ms, blocking {point.Bot:0.00} ms, blocking before {point.Before:0.00} ms ({point.Calls} calls each)"));
            points.Add(point);
        }
        return points;
    }

    /// <summary>
    /// One of each statement, in a different order each round, so a busy neighbour slows them alike; the bare query
    /// and the old statement go through the bot's own pool, so they run on the backend the bot's statement runs on.
    /// </summary>
    private static async Task RoundAsync(Func<Task<Reply>> blocking, TargetRegistry targets, int size)
    {
        var steps = new Func<Task>[]
        {
            () => ExecuteAsync(targets, BareSql),
            async () =>
            {
                var reply = await blocking();
                var expected = $"{Format.Count(size, "session")} waiting on locks on main, behind 1 root blocker";
                if (reply.Kind != ReplyKind.Info || reply.Title != expected)
                {
                    // A sanity check that the command sees the pile-up, not a measurement: a waiter caught between
                    // two states (seen once at 3,000) gets one more look before the run is called off.
                    await Task.Delay(500);
                    var again = await blocking();
                    if (again.Kind != ReplyKind.Info || again.Title != expected)
                    {
                        throw new InvalidOperationException($"blocking answered \"{reply.Title}\", then \"{again.Title}\", expected \"{expected}\"");
                    }
                }
            },
            () => ExecuteAsync(targets, BeforeSql, ("show_query", true), ("query_len", 2000)),
        };
        foreach (var step in steps.OrderBy(_ => Random.Shared.Next()))
        {
            await step();
        }
    }

    private static async Task<Point> ReadStatementsAsync(NpgsqlConnection probe, int size)
    {
        const string sql = """
            SELECT
                CASE WHEN query LIKE 'SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity%' THEN 'bare'
                     WHEN query LIKE '%lock_waits%' THEN 'bot'
                     ELSE 'before' END AS which,
                mean_exec_time, min_exec_time, calls, mean_plan_time
            FROM pg_stat_statements
            WHERE query LIKE '%pg_blocking_pids%'
            """;
        var means = new Dictionary<string, (double Mean, double Min, long Calls, double Plan)>();
        await using var cmd = new NpgsqlCommand(sql, probe);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            means[r.GetString(0)] = (r.GetDouble(1), r.GetDouble(2), r.GetInt64(3), r.GetDouble(4));
        }
        var point = new Point(size, means["bare"].Mean, means["bot"].Mean, means["before"].Mean,
            means["bare"].Min, means["bot"].Min, means["before"].Min, means["bare"].Calls)
        {
            Planning = (means["bare"].Plan, means["bot"].Plan),
        };
        // The bot's statement may have had a second look in a round (see RoundAsync); the others exactly one each.
        if (means["before"].Calls != means["bare"].Calls || means["bot"].Calls < means["bare"].Calls || means["bot"].Calls > means["bare"].Calls + 2)
        {
            throw new InvalidOperationException("the statements were not called equally often: " + string.Join(", ", means.Select(m => $"{m.Key} {m.Value.Calls}")));
        }
        return point;
    }

    private async Task QueueWaitersAsync(int count)
    {
        // Many at a time: each connection is a fork on the server.
        using var gate = new SemaphoreSlim(16);
        var opened = Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var waiter = await OpenAsync();
                var wait = new NpgsqlCommand("SELECT count(*) FROM migrated", waiter) { CommandTimeout = 0 };
                lock (_waits)
                {
                    _waits.Add(wait.ExecuteNonQueryAsync().ContinueWith(_ => wait.Dispose(), TaskScheduler.Default));
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(opened);
    }

    private static async Task WaitForWaitersAsync(NpgsqlConnection probe, int size)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", probe);
            if ((long)(await cmd.ExecuteScalarAsync())! >= size)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"fewer than {size} sessions queued behind the migration");
            }
            await Task.Delay(100);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server!.ConnectionString)
        {
            Pooling = false,
            ApplicationName = "bench-app",
            Timeout = 60,
        }.ConnectionString);
        await conn.OpenAsync();
        lock (_connections)
        {
            _connections.Add(conn);
        }
        return conn;
    }

    /// <summary>How many backends the bot's pool used for the measured statements (one, unless the pool rotated).</summary>
    private static async Task<int> PoolBackendsAsync(TargetRegistry targets)
    {
        var pids = new HashSet<int>();
        for (var i = 0; i < 5; i++)
        {
            await using var cmd = await targets.CommandAsync("main", "SELECT pg_backend_pid()", CancellationToken.None);
            pids.Add((int)(await cmd.ExecuteScalarAsync())!);
        }
        return pids.Count;
    }

    private static async Task ExecuteAsync(TargetRegistry targets, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = await targets.CommandAsync("main", sql, CancellationToken.None);
        await ReadAllAsync(cmd, parameters);
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await ReadAllAsync(cmd, parameters);
    }

    private static async Task ReadAllAsync(NpgsqlCommand cmd, (string Name, object Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        foreach (var conn in _connections)
        {
            await conn.DisposeAsync();
        }
        await Task.WhenAll(_waits.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
    }
}
