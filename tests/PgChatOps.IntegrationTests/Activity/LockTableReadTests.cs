using PgChatOps.Demo;
using System.Globalization;
using Npgsql;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using static PgChatOps.IntegrationTests.Activity.ReplyRows;

namespace PgChatOps.IntegrationTests.Activity;

/// <summary>
/// In a lock pile-up every read of pg_locks takes all of the lock manager's partition locks, which the waiters
/// are fighting over: <c>blocking</c> and <c>show</c> read it once per statement, never once per row. The plans
/// come from auto_explain on a server of their own, with a small pile-up; benchmarks/ measures the big one.
/// </summary>
public sealed class LockTableReadTests
{
    private const int Waiters = 5;

    [Fact]
    public async Task Blocking_reads_pg_locks_once_and_still_shows_how_long_each_waiter_waits()
    {
        await using var pile = await PileUp.StartAsync();

        var reply = await pile.Core.SendAsync("blocking");

        Assert.Equal(ReplyKind.Info, reply.Kind);
        var rows = reply.Table!.Rows;
        Assert.Equal(Waiters + 1, rows.Count);
        Assert.Equal(pile.HolderPid, Pid(rows[0][0]));
        Assert.Equal($"blocks {Waiters}", rows[0][6]);
        Assert.Equal("", rows[0][5]);
        Assert.All(rows.Skip(1), r => Assert.Matches(@"^(under a second|\d+ seconds?)$", r[5]));
        Assert.Equal(pile.WaiterPids.Order(), rows.Skip(1).Select(r => Pid(r[0])).Order());
        Assert.Equal(["loops=1"], await pile.LockTableScansAsync());
    }

    [Fact]
    public async Task Show_reads_pg_locks_once_and_still_shows_the_wait()
    {
        await using var pile = await PileUp.StartAsync();

        var reply = await pile.Core.SendAsync($"show {pile.WaiterPids[0]}");

        var fields = reply.Fields.ToDictionary(f => f.Name, f => f.Value);
        Assert.Matches(@"^Lock: relation for (under a second|\d+ seconds?)$", fields["wait"]);
        Assert.Equal(pile.HolderPid.ToString(CultureInfo.InvariantCulture), fields["blocked by"]);
        Assert.Equal(["loops=1"], await pile.LockTableScansAsync());
    }

    /// <summary>One ACCESS EXCLUSIVE holder and <see cref="Waiters"/> sessions queued behind it, on a server that logs every plan.</summary>
    private sealed class PileUp : IAsyncDisposable
    {
        private readonly List<NpgsqlConnection> _connections = [];
        private readonly List<Task> _waits = [];

        private PileUp(ThrowawayPostgres server) => Server = server;

        public ThrowawayPostgres Server { get; }
        public CoreHost Core { get; private set; } = null!;
        public int HolderPid { get; private set; }
        public List<int> WaiterPids { get; } = [];

        public static async Task<PileUp> StartAsync()
        {
            var server = await ThrowawayPostgres.StartAsync(settings:
                ["shared_preload_libraries=auto_explain", "auto_explain.log_min_duration=0", "auto_explain.log_analyze=on"]);
            var pile = new PileUp(server);
            await server.ExecuteAsync("CREATE TABLE migrated (id int)");
            var holder = await pile.OpenAsync();
            pile.HolderPid = holder.ProcessID;
            await using (var begin = new NpgsqlCommand("BEGIN; LOCK TABLE migrated IN ACCESS EXCLUSIVE MODE", holder))
            {
                await begin.ExecuteNonQueryAsync();
            }
            for (var i = 0; i < Waiters; i++)
            {
                var waiter = await pile.OpenAsync();
                pile.WaiterPids.Add(waiter.ProcessID);
                var wait = new NpgsqlCommand("SELECT count(*) FROM migrated", waiter) { CommandTimeout = 0 };
                pile._waits.Add(wait.ExecuteNonQueryAsync().ContinueWith(_ => wait.Dispose(), TaskScheduler.Default));
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await CountWaitersAsync(server) < Waiters)
            {
                Assert.True(DateTime.UtcNow < deadline, "the waiters never queued: " + await DebugAsync(server));
                await Task.Delay(20);
            }
            pile.Core = await CoreHost.StartAsync(targetConnectionString: server.ConnectionString);
            return pile;
        }

        /// <summary>The <c>loops=</c> of every scan of pg_locks (pg_lock_status) in the plans logged so far.</summary>
        public async Task<IReadOnlyList<string>> LockTableScansAsync()
        {
            await using var stream = new FileStream(Path.Combine(Server.Directory, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var log = await reader.ReadToEndAsync();
            return log.Split('\n')
                .Where(line => line.Contains("Function Scan on pg_lock_status", StringComparison.Ordinal))
                .Select(line => line[line.LastIndexOf("loops=", StringComparison.Ordinal)..].TrimEnd(')', '\r'))
                .ToList();
        }

        private async Task<NpgsqlConnection> OpenAsync()
        {
            var conn = new NpgsqlConnection(Server.ConnectionString + ";Pooling=false");
            await conn.OpenAsync();
            _connections.Add(conn);
            return conn;
        }

        private static async Task<long> CountWaitersAsync(ThrowawayPostgres server)
        {
            await using var conn = new NpgsqlConnection(server.ConnectionString + ";Pooling=false");
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", conn);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        private static async Task<string> DebugAsync(ThrowawayPostgres server)
        {
            await using var conn = new NpgsqlConnection(server.ConnectionString + ";Pooling=false");
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT string_agg(pid||':'||coalesce(state,'')||':'||coalesce(wait_event_type,'')||':'||left(query,50), ' | ') FROM pg_stat_activity", conn);
            return (string)(await cmd.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            if (Core is not null)
            {
                await Core.DisposeAsync();
            }
            await Server.DisposeAsync();
            foreach (var conn in _connections)
            {
                await conn.DisposeAsync();
            }
            await Task.WhenAll(_waits.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }
}
