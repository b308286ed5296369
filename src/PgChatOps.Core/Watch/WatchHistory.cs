using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Audit;
using PgChatOps.Charts;

namespace PgChatOps.Watch;

/// <summary>A compact time series per target: one row per sample, pruned past the retention.</summary>
public sealed class WatchHistory(StateStore store)
{
    public async Task WriteAsync(TargetSample sample, DateTimeOffset at, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO pgchatops.watch_history
                (target, at, connections, max_connections, by_state, waiting, longest_xact_ms, longest_query_ms)
            VALUES (@target, @at, @connections, @max, @by_state, @waiting, @xact, @query)
            ON CONFLICT (target, at) DO NOTHING
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("target", NpgsqlDbType.Text) { Value = sample.Target });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = at.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("connections", NpgsqlDbType.Integer) { Value = sample.Connections });
        cmd.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = sample.MaxConnections });
        cmd.Parameters.Add(new NpgsqlParameter("by_state", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(sample.ByState) });
        cmd.Parameters.Add(new NpgsqlParameter("waiting", NpgsqlDbType.Integer) { Value = sample.Waiting });
        cmd.Parameters.Add(new NpgsqlParameter("xact", NpgsqlDbType.Bigint) { Value = Millis(sample.LongestTransaction) });
        cmd.Parameters.Add(new NpgsqlParameter("query", NpgsqlDbType.Bigint) { Value = Millis(sample.LongestQuery) });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A target's samples in [from, to], oldest first, as the chart draws them.</summary>
    public async Task<IReadOnlyList<HistoryPoint>> ReadAsync(string target, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        const string sql = """
            SELECT at, by_state::text, waiting, longest_xact_ms, longest_query_ms
            FROM pgchatops.watch_history
            WHERE target = @target AND at BETWEEN @from AND @to
            ORDER BY at
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("target", NpgsqlDbType.Text) { Value = target });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.UtcDateTime });
        var points = new List<HistoryPoint>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var byState = JsonSerializer.Deserialize<Dictionary<string, int>>(r.GetString(1)) ?? [];
            int Count(string state) => byState.GetValueOrDefault(state);
            var active = Count("active");
            var idle = Count("idle");
            var idleTx = Count("idle in transaction") + Count("idle in transaction (aborted)");
            points.Add(new HistoryPoint(
                r.GetFieldValue<DateTimeOffset>(0),
                active,
                idle,
                idleTx,
                byState.Values.Sum() - active - idle - idleTx,
                r.GetInt32(2),
                r.IsDBNull(3) ? null : TimeSpan.FromMilliseconds(r.GetInt64(3)),
                r.IsDBNull(4) ? null : TimeSpan.FromMilliseconds(r.GetInt64(4))));
        }
        return points;
    }

    /// <summary>Deletes rows older than <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        const string sql = "DELETE FROM pgchatops.watch_history WHERE at < @cutoff";
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("cutoff", NpgsqlDbType.TimestampTz) { Value = cutoff.UtcDateTime });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static object Millis(TimeSpan? t) => t is { } v ? (long)v.TotalMilliseconds : DBNull.Value;
}
