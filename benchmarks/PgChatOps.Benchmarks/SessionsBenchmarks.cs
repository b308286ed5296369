using PgChatOps.Demo;
using BenchmarkDotNet.Attributes;
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
/// <c>/pg sessions</c> against a real, throwaway PostgreSQL on loopback, with few or many idle sessions present.
/// The whole command (parse, access check, the one SQL statement, the audit insert, the reply, the text
/// rendering) and the SQL statement alone.
/// </summary>
[MemoryDiagnoser]
public class SessionsBenchmarks
{
    private static readonly Lazy<Task<ThrowawayPostgres>> Server = new(() => ThrowawayPostgres.StartAsync());

    private readonly List<NpgsqlConnection> _idle = [];
    private IHost _host = null!;
    private CommandPipeline _pipeline = null!;
    private ActivityReader _reader = null!;
    private ChatRequest _request = null!;
    private SessionPage _page = null!;
    private Command _command = null!;

    /// <summary>Idle client sessions besides the bot's own (the server allows 300 connections).</summary>
    [Params(10, 280)]
    public int IdleSessions { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var pg = await Server.Value;
        await pg.ExecuteAsync("DROP DATABASE IF EXISTS bench_state");
        await pg.ExecuteAsync("CREATE DATABASE bench_state");
        _host = await BenchHost.StartAsync(new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:bench:ConnectionString"] = pg.ConnectionString,
            ["PgChatOps:DefaultTarget"] = "bench",
            ["PgChatOps:StateConnectionString"] = pg.ConnectionStringFor("bench_state"),
        });
        _pipeline = _host.Services.GetRequiredService<CommandPipeline>();
        _reader = _host.Services.GetRequiredService<ActivityReader>();
        _request = new ChatRequest(Platform.Console, "bench", "bench", null, new ChatUser("bench", "bench", []), "/pg sessions");

        for (var i = 0; i < IdleSessions; i++)
        {
            var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Pooling = false, ApplicationName = $"bench-idle-{i % 7}" };
            var conn = new NpgsqlConnection(cs.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"SELECT {i} /* an idle session's last query, long enough to be truncated in the reply */", conn);
            await cmd.ExecuteScalarAsync();
            _idle.Add(conn);
        }
        _page = await Sessions_sql();
        _command = CommandParser.Parse("/pg sessions").Command!;
    }

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        foreach (var c in _idle)
        {
            await c.DisposeAsync();
        }
        _idle.Clear();
        await _host.StopAsync();
        _host.Dispose();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>What a user waits for in the console: the whole command and its text.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string> Sessions_command()
    {
        var reply = await _pipeline.HandleAsync(_request, CancellationToken.None);
        return TextRenderer.Render(reply);
    }

    /// <summary>The one SQL statement behind it (20 rows, the default).</summary>
    [Benchmark]
    public Task<SessionPage> Sessions_sql() =>
        _reader.ListAsync("bench", SessionFilter.None, SessionSort.Duration, 20, CancellationToken.None);

    /// <summary>The reply and its text, from rows already read.</summary>
    [Benchmark]
    public string Sessions_reply_and_text() =>
        TextRenderer.Render(global::PgChatOps.Replies.Replies.Sessions("bench", _command, _page, DateTimeOffset.UtcNow));
}
