using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CsvHelper;
using Npgsql;
using PgChatOps.Audit;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Local;
using PgChatOps.Replies;
using PgChatOps.Snapshots;

namespace PgChatOps.IntegrationTests.Snapshots;

/// <summary>Issue 13 items 2 and 3: <c>/pg snapshot</c>, and a long <c>/pg sessions</c> list, carry every session as CSV.</summary>
public sealed class SnapshotVerbTests
{
    internal static List<SnapshotRow> Parse(ReplyFile file)
    {
        Assert.Equal("text/csv", file.ContentType);
        using var reader = CsvReader.Create(file.Content.ToArray(), CsvReaderOptions.Default with { Separator = ',' });
        return reader.GetRecords<SnapshotRow>().ToList();
    }

    internal static async Task<HashSet<(int, DateTime)>> IdentitiesAsync(string connectionString, string app)
    {
        await using var conn = new NpgsqlConnection(connectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = @app", conn);
        cmd.Parameters.AddWithValue("app", app);
        var set = new HashSet<(int, DateTime)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            set.Add((r.GetInt32(0), r.GetDateTime(1)));
        }
        return set;
    }

    /// <summary>Idle connections with one application name on the roomy server, closed when disposed.</summary>
    internal sealed class Crowd : IAsyncDisposable
    {
        private readonly List<NpgsqlConnection> _connections = [];

        public required string App { get; init; }

        public static async Task<Crowd> OpenAsync(string connectionString, string prefix, int count)
        {
            var crowd = new Crowd { App = TestDatabase.Unique(prefix) };
            var cs = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = crowd.App, Pooling = false }.ConnectionString;
            using var gate = new SemaphoreSlim(8);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    var conn = new NpgsqlConnection(cs);
                    lock (crowd._connections)
                    {
                        crowd._connections.Add(conn);
                    }
                    await conn.OpenAsync();
                }
                finally
                {
                    gate.Release();
                }
            }));
            return crowd;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var conn in _connections)
            {
                await conn.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Snapshot_of_300_sessions_attaches_a_csv_that_parses_back_to_exactly_the_sessions_pg_stat_activity_had()
    {
        var pg = await RoomyPostgres.GetAsync();
        await using var crowd = await Crowd.OpenAsync(pg.ConnectionString, "snapverb", 300);
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionString);

        var before = await IdentitiesAsync(pg.ConnectionString, crowd.App);
        var reply = await core.SendAsync("snapshot");
        var after = await IdentitiesAsync(pg.ConnectionString, crowd.App);

        Assert.Equal(ReplyKind.Info, reply.Kind);
        var file = Assert.Single(reply.Files);
        var rows = Parse(file);
        Assert.Equal(300, before.Count);
        Assert.Equal(before, after);
        Assert.Equal(before, rows.Where(r => r.Application == crowd.App).Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
        Assert.Equal(rows.Count, rows.Select(r => r.Pid).Distinct().Count());
        Assert.Matches(@"^pgchatops-sessions-test-\d{8}T\d{6}Z\.csv$", file.FileName);
        Assert.Equal($"Snapshot of test: {rows.Count} client sessions", reply.Title);
        Assert.Contains(reply.Fields, f => f.Name == "file" && f.Value.StartsWith(file.FileName, StringComparison.Ordinal));
        Assert.Contains(reply.Fields, f => f.Name == "sessions" && f.Value.StartsWith($"{rows.Count} (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Snapshot_has_its_own_audit_entry_with_the_files_hash_and_the_chain_stays_intact()
    {
        await using var sessions = await TestSessions.CreateAsync("snapaudit");
        var (a, _, _) = await sessions.OpenLockChainAsync();
        await using var core = await CoreHost.StartAsync();

        var reply = await core.SendAsync("snapshot");
        var verify = await core.SendAsync("audit verify");

        var file = Assert.Single(reply.Files);
        var sha = Convert.ToHexStringLower(SHA256.HashData(file.Content.Span));
        Assert.Equal(1, await AuditRows.CountAsync(core.StateConnectionString,
            "event = @event AND outcome = 'written' AND detail->>'sha256' = @sha AND detail->>'file' = @file AND actor_id = 'alice'",
            ("event", AuditEvents.Snapshot), ("sha", sha), ("file", file.FileName)));
        Assert.Contains(reply.Fields, f => f.Name == "lock waits" && f.Value.Contains($"pid {a.Pid} (2 waiting)", StringComparison.Ordinal));
        Assert.Equal(ReplyKind.Info, verify.Kind);
        Assert.StartsWith("Audit chain intact", verify.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshot_needs_view_and_a_denied_one_attaches_nothing()
    {
        await using var core = await CoreHost.StartAsync();

        var reply = await core.SendAsync("snapshot", "mallory");

        Assert.Equal(ReplyKind.Denied, reply.Kind);
        Assert.Empty(reply.Files);
    }

    [Fact]
    public async Task A_sessions_list_that_hides_more_than_the_threshold_attaches_every_match()
    {
        var pg = await RoomyPostgres.GetAsync();
        await using var crowd = await Crowd.OpenAsync(pg.ConnectionString, "snaplong", SnapshotReplies.AttachAboveHiddenRows + 10);
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionString);

        var reply = await core.SendAsync($"sessions app={crowd.App} limit=5");

        var total = SnapshotReplies.AttachAboveHiddenRows + 10;
        Assert.Equal(5, reply.Table!.Rows.Count);
        Assert.Equal(total, reply.Table.TotalRows);
        var rows = Parse(Assert.Single(reply.Files));
        Assert.Equal(await IdentitiesAsync(pg.ConnectionString, crowd.App), rows.Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
        Assert.Contains(reply.Notes, n => n.StartsWith($"All {total} matching sessions at ", StringComparison.Ordinal) && n.Contains("attached file pgchatops-sessions-test-", StringComparison.Ordinal));
        Assert.Contains($"{total - 5} more sessions not shown", TextRenderer.Render(reply), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_cut_list_says_how_to_get_the_file_and_csv_attaches_it()
    {
        await using var sessions = await TestSessions.CreateAsync("snapcsv");
        var opened = new List<TestSession>();
        for (var i = 0; i < 4; i++)
        {
            opened.Add(await sessions.OpenAsync());
        }
        await using var core = await CoreHost.StartAsync();

        var cut = await core.SendAsync($"sessions user={sessions.Role} limit=2");
        var asked = await core.SendAsync($"sessions user={sessions.Role} limit=2 csv");
        var whole = await core.SendAsync($"sessions user={sessions.Role}");

        Assert.Empty(cut.Files);
        Assert.Contains($"To get all 4 as a CSV file: `/pg sessions user={sessions.Role} limit=2 csv`.", cut.Notes);
        var rows = Parse(Assert.Single(asked.Files));
        Assert.Equal(opened.Select(s => (s.Pid, s.BackendStart)).ToHashSet(), rows.Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
        Assert.All(rows, r => Assert.Equal(sessions.Role, r.User));
        Assert.Empty(whole.Files);
        Assert.DoesNotContain(whole.Notes, n => n.Contains("CSV", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_console_writes_the_snapshot_file_and_prints_its_path()
    {
        await using var sessions = await TestSessions.CreateAsync("snapcon");
        var mine = await sessions.OpenAsync();
        var directory = Directory.CreateTempSubdirectory("pgchatops-files-").FullName;
        try
        {
            var console = await ConsoleRun.StartAsync($"{ConsoleChat.FileDirectoryKey}={directory}");
            await console.TypeAtAsync(1, "/pg snapshot");
            Assert.Equal(0, await console.EndAtAsync(2));

            var match = Regex.Match(console.Text, @"^Wrote (?<path>\S+\.csv) \(", RegexOptions.Multiline);
            Assert.True(match.Success, console.Text);
            var path = match.Groups["path"].Value;
            Assert.Equal(directory, Path.GetDirectoryName(path));
            using var reader = CsvReader.Create(await File.ReadAllBytesAsync(path), CsvReaderOptions.Default with { Separator = ',' });
            Assert.Contains(reader.GetRecords<SnapshotRow>(), r => r.Pid == mine.Pid && r.User == sessions.Role);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
