using System.Text;
using CsvHelper;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Snapshots;

namespace PgChatOps.IntegrationTests.Snapshots;

public sealed class SessionSnapshotTests
{
    private static TargetRegistry Targets(string connectionString, bool showQueryText = true) => new(Options.Create(new PgChatOpsOptions
    {
        Targets = { ["main"] = new TargetOptions { ConnectionString = connectionString, ShowQueryText = showQueryText } },
    }));

    private static async Task<(SnapshotSummary Summary, string Text, List<SnapshotRow> Rows)> SnapshotAsync(TargetRegistry targets)
    {
        using var stream = new MemoryStream();
        var summary = await new SessionSnapshot(targets).WriteAsync("main", stream, CancellationToken.None);
        var bytes = stream.ToArray();
        using var reader = CsvReader.Create(bytes, CsvReaderOptions.Default with { Separator = ',' });
        return (summary, Encoding.UTF8.GetString(bytes), reader.GetRecords<SnapshotRow>().ToList());
    }

    [Fact]
    public async Task Three_hundred_sessions_come_back_from_the_csv_exactly_as_pg_stat_activity_had_them()
    {
        var pg = await RoomyPostgres.GetAsync();
        var app = TestDatabase.Unique("snap300");
        var connections = new List<NpgsqlConnection>();
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { ApplicationName = app, Pooling = false }.ConnectionString;
            using var gate = new SemaphoreSlim(8);
            await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    var conn = new NpgsqlConnection(cs);
                    lock (connections)
                    {
                        connections.Add(conn);
                    }
                    await conn.OpenAsync();
                }
                finally
                {
                    gate.Release();
                }
            }));
            await using var targets = Targets(pg.ConnectionString);

            var before = await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, app);
            var (summary, _, rows) = await SnapshotAsync(targets);
            var after = await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, app);

            Assert.Equal(300, before.Count);
            Assert.Equal(before, after);
            var mine = rows.Where(r => r.Application == app).ToList();
            Assert.Equal(300, mine.Count);
            Assert.Equal(before, mine.Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
            Assert.All(mine, r => Assert.Equal(("postgres", "postgres", "idle", "client backend"), (r.User, r.Database, r.State, r.BackendType)));
            Assert.True(summary.Sessions >= 300);
            Assert.Equal(rows.Count, summary.Sessions);
        }
        finally
        {
            foreach (var conn in connections)
            {
                await conn.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_formula_in_an_application_name_comes_back_neutralised()
    {
        await using var sessions = await TestSessions.CreateAsync("snapinj");
        var evil = await sessions.OpenAsync(app: "=cmd|' /C calc'!A0");
        await using var targets = Targets(await TestDatabase.ConnectionStringAsync());

        var (_, text, rows) = await SnapshotAsync(targets);

        var row = Assert.Single(rows, r => r.Pid == evil.Pid);
        Assert.Equal("'=cmd|' /C calc'!A0", row.Application);
        Assert.Equal(sessions.Role, row.User);
        Assert.DoesNotContain(",=cmd", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_text_is_absent_when_the_target_hides_it()
    {
        await using var sessions = await TestSessions.CreateAsync("snapq");
        var busy = await sessions.OpenActiveAsync();
        var marker = busy.Application;

        await using (var hidden = Targets(await TestDatabase.ConnectionStringAsync(), showQueryText: false))
        {
            var (_, text, rows) = await SnapshotAsync(hidden);
            var row = Assert.Single(rows, r => r.Pid == busy.Pid);
            Assert.Equal("", row.Query);
            Assert.Equal("active", row.State);
            Assert.DoesNotContain("pg_sleep", text, StringComparison.Ordinal);
        }

        await using (var shown = Targets(await TestDatabase.ConnectionStringAsync(), showQueryText: true))
        {
            var (_, _, rows) = await SnapshotAsync(shown);
            Assert.Equal($"SELECT pg_sleep(600) /* {marker} */", Assert.Single(rows, r => r.Pid == busy.Pid).Query);
        }
    }

    [Fact]
    public async Task A_lock_chain_is_in_the_file_with_who_blocks_whom_since_when_and_in_the_summary()
    {
        await using var sessions = await TestSessions.CreateAsync("snaplock");
        var (a, b, c) = await sessions.OpenLockChainAsync();
        await using var targets = Targets(await TestDatabase.ConnectionStringAsync());

        var (summary, _, rows) = await SnapshotAsync(targets);

        var byPid = rows.Where(r => r.User == sessions.Role).ToDictionary(r => r.Pid);
        Assert.Equal(("", 2, (int?)a.Pid, "idle in transaction"), (byPid[a.Pid].BlockedBy, byPid[a.Pid].Blocking, byPid[a.Pid].RootBlocker, byPid[a.Pid].State));
        Assert.Equal(($"{a.Pid}", 1, (int?)a.Pid), (byPid[b.Pid].BlockedBy, byPid[b.Pid].Blocking, byPid[b.Pid].RootBlocker));
        Assert.Equal(($"{b.Pid}", 0, (int?)a.Pid), (byPid[c.Pid].BlockedBy, byPid[c.Pid].Blocking, byPid[c.Pid].RootBlocker));
        Assert.NotNull(byPid[b.Pid].LockWaitStart);
        Assert.True(byPid[c.Pid].LockWaitStart >= byPid[b.Pid].LockWaitStart);
        Assert.Equal("Lock", byPid[c.Pid].WaitEventType);
        Assert.Contains($"pid {a.Pid} (2 waiting)", summary.Text, StringComparison.Ordinal);
        Assert.Matches(@"^pgchatops-sessions-main-\d{8}T\d{6}Z\.csv$", summary.FileName);
        Assert.EndsWith("File: " + summary.FileName, summary.Text, StringComparison.Ordinal);
    }
}
