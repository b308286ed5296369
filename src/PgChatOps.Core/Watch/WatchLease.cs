using Npgsql;
using NpgsqlTypes;
using PgChatOps.Audit;

namespace PgChatOps.Watch;

/// <summary>
/// The leader lease: one row in the state store, decided by the state store's clock, so replicas with skewed clocks
/// still agree. The holder renews it every tick; when the holder dies, another replica takes it once it expires.
/// Each <paramref name="name"/> is a lease of its own in the same table: the watch's, the Discord Gateway's.
/// </summary>
public sealed class WatchLease(StateStore store, string name)
{
    public const string Name = "watch";

    /// <summary>The watch's leader lease.</summary>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public WatchLease(StateStore store) : this(store, Name)
    {
    }

    public string LeaseName => name;

    /// <summary>Takes or renews the lease for <paramref name="holder"/>; false when another live replica holds it.</summary>
    public async Task<bool> TryAcquireAsync(string holder, TimeSpan ttl, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO pgchatops.watch_lease AS l (name, holder, acquired_at, expires_at)
            VALUES (@name, @holder, now(), now() + @ttl)
            ON CONFLICT (name) DO UPDATE
                SET holder = excluded.holder,
                    expires_at = excluded.expires_at,
                    acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END
                WHERE l.holder = excluded.holder OR l.expires_at < now()
            RETURNING holder
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = name });
        cmd.Parameters.Add(new NpgsqlParameter("holder", NpgsqlDbType.Text) { Value = holder });
        cmd.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Interval) { Value = ttl });
        return await cmd.ExecuteScalarAsync(ct) is string;
    }

    /// <summary>Gives the lease up at once (a clean shutdown), so another replica takes over on its next tick.</summary>
    public async Task ReleaseAsync(string holder, CancellationToken ct)
    {
        const string sql = """
            UPDATE pgchatops.watch_lease SET expires_at = now() - interval '1 second'
            WHERE name = @name AND holder = @holder
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = name });
        cmd.Parameters.Add(new NpgsqlParameter("holder", NpgsqlDbType.Text) { Value = holder });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The current holder and until when, by the state store's clock; null when nobody holds a live lease.</summary>
    public async Task<(string Holder, DateTimeOffset ExpiresAt)?> CurrentAsync(CancellationToken ct)
    {
        const string sql = "SELECT holder, expires_at FROM pgchatops.watch_lease WHERE name = @name AND expires_at >= now()";
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = name });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.GetFieldValue<DateTimeOffset>(1)) : null;
    }
}
