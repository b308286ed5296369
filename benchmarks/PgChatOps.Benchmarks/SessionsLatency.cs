using PgChatOps.Demo;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Benchmarks;

/// <summary>
/// <c>/pg sessions</c> latency on loopback with few and many idle sessions, measured interleaved: two throwaway
/// servers (one with <see cref="Few"/> idle sessions, one with <see cref="Many"/>) behind two targets of one bot,
/// and the rounds alternate between them, so a busy neighbour on the machine slows both sides alike.
/// </summary>
public sealed class SessionsLatency : IAsyncDisposable
{
    public const int Few = 10;
    public const int Many = 280;

    private readonly List<ThrowawayPostgres> _servers = [];
    private readonly List<NpgsqlConnection> _idle = [];
    private IHost? _host;

    public sealed record Result(double CommandFew, double CommandMany, double SqlFew, double SqlMany, double CommandFewP90, double CommandManyP90, int Rounds);

    public async Task<Result> RunAsync(int rounds, TextWriter log)
    {
        log.WriteLine($"Starting two throwaway PostgreSQL servers, with {Few} and {Many} idle sessions…");
        var few = await ThrowawayPostgres.StartAsync();
        _servers.Add(few);
        var many = await ThrowawayPostgres.StartAsync();
        _servers.Add(many);
        await OpenIdleAsync(few, Few);
        await OpenIdleAsync(many, Many);
        await few.ExecuteAsync("CREATE DATABASE bench_state");

        _host = await BenchHost.StartAsync(new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:few:ConnectionString"] = few.ConnectionString,
            ["PgChatOps:Targets:many:ConnectionString"] = many.ConnectionString,
            ["PgChatOps:DefaultTarget"] = "few",
            ["PgChatOps:StateConnectionString"] = few.ConnectionStringFor("bench_state"),
        });
        var pipeline = _host.Services.GetRequiredService<CommandPipeline>();
        var reader = _host.Services.GetRequiredService<ActivityReader>();

        async Task<double> CommandAsync(string target)
        {
            var request = new ChatRequest(Platform.Console, "bench", "bench", null, new ChatUser("bench", "bench", []), $"/pg sessions target={target}");
            var sw = Stopwatch.StartNew();
            var reply = await pipeline.HandleAsync(request, CancellationToken.None);
            _ = TextRenderer.Render(reply);
            sw.Stop();
            if (reply.Kind != ReplyKind.Info)
            {
                throw new InvalidOperationException($"sessions on {target} failed: {reply.Title}");
            }
            return sw.Elapsed.TotalMilliseconds;
        }

        async Task<double> SqlAsync(string target)
        {
            var sw = Stopwatch.StartNew();
            await reader.ListAsync(target, SessionFilter.None, SessionSort.Duration, 20, CancellationToken.None);
            return sw.Elapsed.TotalMilliseconds;
        }

        log.WriteLine($"Warming up, then {rounds} interleaved rounds…");
        for (var i = 0; i < 30; i++)
        {
            await CommandAsync("few");
            await CommandAsync("many");
        }

        var commandFew = new List<double>();
        var commandMany = new List<double>();
        var sqlFew = new List<double>();
        var sqlMany = new List<double>();
        var random = new Random(42);
        for (var i = 0; i < rounds; i++)
        {
            // Alternate which side goes first, so neither always follows the other.
            if (random.Next(2) == 0)
            {
                commandFew.Add(await CommandAsync("few"));
                commandMany.Add(await CommandAsync("many"));
                sqlFew.Add(await SqlAsync("few"));
                sqlMany.Add(await SqlAsync("many"));
            }
            else
            {
                commandMany.Add(await CommandAsync("many"));
                commandFew.Add(await CommandAsync("few"));
                sqlMany.Add(await SqlAsync("many"));
                sqlFew.Add(await SqlAsync("few"));
            }
        }

        var reply = await pipeline.HandleAsync(new ChatRequest(Platform.Console, "bench", "bench", null, new ChatUser("bench", "bench", []), "/pg sessions target=many"), CancellationToken.None);
        log.WriteLine($"Check: \"{reply.Title}\"");
        return new Result(
            Percentile(commandFew, 50), Percentile(commandMany, 50), Percentile(sqlFew, 50), Percentile(sqlMany, 50),
            Percentile(commandFew, 90), Percentile(commandMany, 90), rounds);
    }

    private async Task OpenIdleAsync(ThrowawayPostgres pg, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Pooling = false, ApplicationName = $"bench-idle-{i % 7}" };
            var conn = new NpgsqlConnection(cs.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                string.Create(CultureInfo.InvariantCulture, $"SELECT {i} /* an idle session's last query, long enough to be cut in the reply */"), conn);
            await cmd.ExecuteScalarAsync();
            _idle.Add(conn);
        }
    }

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _idle)
        {
            await c.DisposeAsync();
        }
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        foreach (var s in _servers)
        {
            await s.DisposeAsync();
        }
    }
}
