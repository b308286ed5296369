using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Watch;

public sealed class WatchHistoryTests
{
    [Fact]
    public async Task Each_sample_writes_a_history_row_and_rows_past_the_retention_are_pruned()
    {
        await using var sessions = await TestSessions.CreateAsync("wy");
        var now = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero));
        var stateDb = await TestDatabase.CreateDatabaseAsync("state");
        var sink = new RecordingAlertSink();
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() },
            await TestDatabase.ConnectionStringAsync(stateDb),
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "10m", filter: $"user={sessions.Role}")],
            sink,
            watch: new Dictionary<string, string> { ["HistoryRetention"] = "2.00:00:00" },
            run: false,
            time: time);
        await sessions.OpenIdleInTransactionAsync();
        await sessions.OpenActiveAsync();

        await host.Engine.RunOnceAsync(CancellationToken.None);
        var first = time.GetUtcNow();
        time.Advance(TimeSpan.FromDays(1));
        await host.Engine.RunOnceAsync(CancellationToken.None);
        var rows = await HistoryAsync(stateDb);
        Assert.Equal(2, rows.Count);
        var row = rows[0];
        Assert.True(row.Connections >= 3, $"connections {row.Connections}");
        Assert.True(row.MaxConnections > 0);
        Assert.Contains("\"idle in transaction\"", row.ByState, StringComparison.Ordinal);
        Assert.Contains("\"active\"", row.ByState, StringComparison.Ordinal);
        Assert.NotNull(row.LongestTransactionMs);
        Assert.NotNull(row.LongestQueryMs);

        time.Advance(TimeSpan.FromDays(1.5)); // the first row is now 2.5 days old, the second 1.5
        await host.Engine.RunOnceAsync(CancellationToken.None);

        var kept = await HistoryAsync(stateDb);
        Assert.Equal(2, kept.Count);
        Assert.DoesNotContain(kept, r => r.At == first.UtcDateTime);
    }

    private sealed record HistoryRow(DateTime At, int Connections, int MaxConnections, string ByState, long? LongestTransactionMs, long? LongestQueryMs);

    private static async Task<List<HistoryRow>> HistoryAsync(string database)
    {
        await using var conn = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync(database) + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT at, connections, max_connections, by_state::text, longest_xact_ms, longest_query_ms
            FROM pgchatops.watch_history WHERE target = 'test' ORDER BY at
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<HistoryRow>();
        while (await r.ReadAsync())
        {
            rows.Add(new HistoryRow(r.GetDateTime(0), r.GetInt32(1), r.GetInt32(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetInt64(4), r.IsDBNull(5) ? null : r.GetInt64(5)));
        }
        return rows;
    }
}
