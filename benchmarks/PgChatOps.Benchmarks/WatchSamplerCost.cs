using PgChatOps.Demo;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Hosting;
using PgChatOps.Watch;

namespace PgChatOps.Benchmarks;

/// <summary>
/// The watch sampler's server cost at <see cref="Backends"/> backends against a plain <c>SELECT * FROM pg_stat_activity</c>,
/// interleaved on one throwaway cluster restarted with max_connections and shared_preload_libraries raised, measured
/// two ways: pg_stat_statements (executor time, which includes sending the rows) and the CPU time (user + system,
/// from /proc) of the backends that served each. Then what one sample every <see cref="Interval"/> costs as a share
/// of one CPU (the budget: 2%). Run with
/// <c>dotnet run -c Release --project benchmarks/PgChatOps.Benchmarks -- watch-cost</c> (or <c>watch-sampler</c>).
/// </summary>
public static class WatchSamplerCost
{
    public const int Backends = 2000;

    /// <summary>The rule interval the budget is stated for (the default <c>Interval</c>).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>The budget: samples add at most this share of one CPU on the target.</summary>
    public const double Budget = 0.02;
    private const int IdleInTransaction = 20;
    private const int Sleeping = 20;
    private const int Waiters = 20;

    public static async Task<int> RunAsync(int rounds, TextWriter log)
    {
        await using var pg = await ThrowawayPostgres.StartAsync(log.WriteLine);
        await RestartAsync(pg, log);
        await pg.ExecuteAsync("CREATE EXTENSION pg_stat_statements; CREATE TABLE pile (id int PRIMARY KEY, v int); INSERT INTO pile VALUES (1, 0);");

        var connections = new List<NpgsqlConnection>();
        var background = new List<Task>();
        try
        {
            log.WriteLine($"Opening {Backends} backends ({IdleInTransaction} idle in transaction, {Sleeping} running pg_sleep, a lock pile-up of {Waiters} waiters, the rest idle)…");
            var sw = Stopwatch.StartNew();
            for (var opened = 0; opened < Backends;)
            {
                var batch = Math.Min(50, Backends - opened);
                connections.AddRange(await Task.WhenAll(Enumerable.Range(0, batch).Select(_ => OpenAsync(pg))));
                opened += batch;
            }
            log.WriteLine($"  opened in {sw.Elapsed.TotalSeconds:0.0} s");
            await ExecuteAsync(connections[0], "BEGIN; UPDATE pile SET v = 1 WHERE id = 1");
            for (var i = 1; i <= IdleInTransaction; i++)
            {
                await ExecuteAsync(connections[i], "BEGIN; SELECT 1");
            }
            foreach (var c in connections.Skip(1 + IdleInTransaction).Take(Sleeping))
            {
                background.Add(RunAsync(c, "SELECT pg_sleep(3600)"));
            }
            foreach (var c in connections.Skip(1 + IdleInTransaction + Sleeping).Take(Waiters))
            {
                background.Add(RunAsync(c, "UPDATE pile SET v = v + 1 WHERE id = 1"));
            }
            await Task.Delay(TimeSpan.FromSeconds(2));

            var options = Options.Create(new PgChatOpsOptions { Targets = { ["big"] = new TargetOptions { ConnectionString = pg.ConnectionString } } });
            await using var targets = new TargetRegistry(options);
            var sampler = new WatchSampler(targets);
            var needs = new SampleNeeds(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), Locks: true);
            await using var plain = await OpenAsync(pg);

            async Task<double> SampleAsync()
            {
                var t = Stopwatch.GetTimestamp();
                var s = await sampler.SampleAsync("big", needs, CancellationToken.None);
                if (s.Connections < Backends || s.Candidates.Count < IdleInTransaction + Sleeping + Waiters)
                {
                    throw new InvalidOperationException($"the sample saw {s.Connections} connections, {s.Candidates.Count} candidates");
                }
                return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            async Task<double> PlainAsync()
            {
                var t = Stopwatch.GetTimestamp();
                await using var cmd = new NpgsqlCommand("SELECT * FROM pg_stat_activity", plain);
                await using var r = await cmd.ExecuteReaderAsync();
                var rows = 0;
                while (await r.ReadAsync())
                {
                    for (var i = 0; i < r.FieldCount; i++)
                    {
                        _ = r.GetValue(i);
                    }
                    rows++;
                }
                if (rows < Backends)
                {
                    throw new InvalidOperationException($"pg_stat_activity had {rows} rows");
                }
                return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }

            for (var i = 0; i < 10; i++)
            {
                await SampleAsync();
                await PlainAsync();
            }
            await ExecuteAsync(plain, "SELECT pg_stat_statements_reset()");
            // The backends that serve each: the sampler's pool (its application name) and the plain read's connection.
            var samplerPids = await SamplerBackendsAsync(plain);
            var samplerCpu0 = CpuTime(samplerPids);
            var plainCpu0 = CpuTime([plain.ProcessID]);
            var sampleMs = new List<double>();
            var plainMs = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                sampleMs.Add(await SampleAsync());
                plainMs.Add(await PlainAsync());
            }
            var samplerCpu = (CpuTime(samplerPids) - samplerCpu0).TotalMilliseconds / rounds;
            var plainCpu = (CpuTime([plain.ProcessID]) - plainCpu0).TotalMilliseconds / rounds;
            if (!(await SamplerBackendsAsync(plain)).SetEquals(samplerPids))
            {
                throw new InvalidOperationException("the sampler's backends changed during the run: its CPU time would be incomplete");
            }

            await using var stats = new NpgsqlCommand("""
                SELECT CASE WHEN query LIKE '%picked AS%' THEN 'sampler' ELSE 'plain' END,
                       calls, mean_exec_time, stddev_exec_time, rows
                FROM pg_stat_statements
                WHERE query LIKE '%picked AS%' OR query = 'SELECT * FROM pg_stat_activity'
                """, plain);
            var server = new Dictionary<string, (long Calls, double Mean, double Stddev, long Rows)>();
            await using (var r = await stats.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                {
                    server[r.GetString(0)] = (r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetInt64(4));
                }
            }

            string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
            var (s, p) = (server["sampler"], server["plain"]);
            log.WriteLine();
            log.WriteLine($"Watch sampler vs SELECT * FROM pg_stat_activity at {Backends} client backends ({rounds} interleaved rounds):");
            log.WriteLine($"  server (pg_stat_statements mean exec time): sampler {F(s.Mean)} ms (±{F(s.Stddev)}, {s.Calls} calls, 1 row), plain {F(p.Mean)} ms (±{F(p.Stddev)}, {p.Rows / Math.Max(1, p.Calls)} rows a call)");
            log.WriteLine($"  => the sampler costs {F(s.Mean / p.Mean)}× the plain read on the server");
            log.WriteLine($"  server (backend CPU time, user + system, per call): sampler {F(samplerCpu)} ms, plain {F(plainCpu)} ms => {F(samplerCpu / plainCpu)}×");
            log.WriteLine($"  client wall time (median): sampler {F(Median(sampleMs))} ms, plain (reading every row) {F(Median(plainMs))} ms => {F(Median(sampleMs) / Median(plainMs))}×");
            var interval = Interval.TotalMilliseconds;
            string Pct(double share) => (100 * share).ToString("0.000", CultureInfo.InvariantCulture) + "%";
            var byCpu = samplerCpu / interval;
            var byExec = s.Mean / interval;
            log.WriteLine($"  one sample every {Interval.TotalSeconds:0} s costs the target {Pct(byCpu)} of one CPU by backend CPU time ({Pct(byExec)} by executor time); budget {Pct(Budget)}: "
                + (Math.Max(byCpu, byExec) <= Budget ? "within" : "OVER"));
            return 0;
        }
        finally
        {
            await pg.StopAsync();
            await Task.WhenAll(background.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
        }
    }

    /// <summary>The sampler's pooled backends on the target, found by the application name every PgChatOps connection carries.</summary>
    private static async Task<HashSet<int>> SamplerBackendsAsync(NpgsqlConnection c)
    {
        await using var cmd = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = @app", c);
        cmd.Parameters.AddWithValue("app", OwnBackends.ApplicationName);
        var pids = new HashSet<int>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            pids.Add(r.GetInt32(0));
        }
        return pids.Count > 0 ? pids : throw new InvalidOperationException("no sampler backend found");
    }

    /// <summary>User plus system CPU time of server processes (the throwaway cluster runs on this machine).</summary>
    private static TimeSpan CpuTime(IEnumerable<int> pids) =>
        pids.Aggregate(TimeSpan.Zero, (sum, pid) =>
        {
            using var p = Process.GetProcessById(pid);
            return sum + p.TotalProcessorTime;
        });

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<NpgsqlConnection> OpenAsync(ThrowawayPostgres pg)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Pooling = false, ApplicationName = "bench" }.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private static async Task ExecuteAsync(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static Task RunAsync(NpgsqlConnection c, string sql) => Task.Run(async () =>
    {
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    });

    /// <summary>The throwaway server starts with max_connections=300 on its command line; restart it with room for the backends.</summary>
    private static async Task RestartAsync(ThrowawayPostgres pg, TextWriter log)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            .Select(d => Path.Combine(d, "bin"))
            .First(d => File.Exists(Path.Combine(d, "pg_ctl")));
        var options = string.Join(' ',
            $"-p {pg.Port}", $"-k {pg.Directory}", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
            $"-c max_connections={Backends + 100}", "-c shared_buffers=64MB", "-c shared_preload_libraries=pg_stat_statements",
            "-c track_activity_query_size=4096");
        string[] args = ["-D", pg.DataDirectory, "-l", Path.Combine(pg.Directory, "server.log"), "-w", "-t", "120", "-m", "fast", "-o", options, "restart"];
        var asPostgres = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : Path.Combine(bin, "pg_ctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (asPostgres ? new[] { "-u", "postgres", "--", Path.Combine(bin, "pg_ctl") } : []).Concat(args))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl restart failed: {await p.StandardError.ReadToEndAsync()}");
        }
        NpgsqlConnection.ClearAllPools();
        log.WriteLine($"Restarted the throwaway server with max_connections={Backends + 100} and pg_stat_statements.");
    }
}
