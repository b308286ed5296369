using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Audit;

namespace PgChatOps.Watch;

/// <summary>
/// Incidents in the state store: at most one open per (rule, target, cause), enforced by a unique index, so two
/// replicas that both believe they lead still open one incident and post one message. The alert and its message
/// reference live here, so a restarted or new leader carries on updating the same message.
/// </summary>
public sealed class IncidentStore(StateStore store)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private const string Columns = "id, rule, target, cause, message_ref, fingerprint, alert::text, opened_at, snoozed_until, snoozed_by";

    /// <summary>Open incidents, of one target or of all.</summary>
    public async Task<IReadOnlyList<Incident>> ListOpenAsync(string? target, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns} FROM pgchatops.watch_incidents
            WHERE status = 'open' AND (@target::text IS NULL OR target = @target)
            ORDER BY opened_at, id
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("target", NpgsqlDbType.Text) { Value = (object?)target ?? DBNull.Value });
        return await ReadAsync(cmd, ct);
    }

    public async Task<Incident?> FindAsync(Guid id, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM pgchatops.watch_incidents WHERE id = @id";
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = id });
        return await ReadAsync(cmd, ct) is [var first, ..] ? first : null;
    }

    /// <summary>Records a new incident; false when one is already open for the same rule, target and cause.</summary>
    public async Task<bool> TryOpenAsync(WatchFinding finding, Alert alert, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO pgchatops.watch_incidents
                (id, rule, target, cause, status, platform, channel, opened_at, updated_at, fingerprint, alert)
            VALUES (@id, @rule, @target, @cause, 'open', @platform, @channel, @at, @at, @fingerprint, @alert)
            ON CONFLICT (rule, target, cause) WHERE status = 'open' DO NOTHING
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = alert.Id });
        cmd.Parameters.Add(new NpgsqlParameter("rule", NpgsqlDbType.Text) { Value = finding.Rule.Name });
        cmd.Parameters.Add(new NpgsqlParameter("target", NpgsqlDbType.Text) { Value = finding.Target });
        cmd.Parameters.Add(new NpgsqlParameter("cause", NpgsqlDbType.Text) { Value = finding.Cause });
        cmd.Parameters.Add(new NpgsqlParameter("platform", NpgsqlDbType.Text) { Value = alert.Platform });
        cmd.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Text) { Value = alert.Channel });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = alert.OpenedAt.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("fingerprint", NpgsqlDbType.Text) { Value = finding.Fingerprint });
        cmd.Parameters.Add(new NpgsqlParameter("alert", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(alert, Json) });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task SetMessageRefAsync(Guid id, string messageRef, CancellationToken ct)
    {
        const string sql = "UPDATE pgchatops.watch_incidents SET message_ref = @ref WHERE id = @id";
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter("ref", NpgsqlDbType.Text) { Value = messageRef });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Stores the incident's latest state while it is open.</summary>
    public async Task UpdateAsync(Guid id, Alert alert, string fingerprint, DateTimeOffset at, CancellationToken ct)
    {
        const string sql = """
            UPDATE pgchatops.watch_incidents SET alert = @alert, fingerprint = @fingerprint, updated_at = @at
            WHERE id = @id AND status = 'open'
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter("alert", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(alert, Json) });
        cmd.Parameters.Add(new NpgsqlParameter("fingerprint", NpgsqlDbType.Text) { Value = fingerprint });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = at.UtcDateTime });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Closes an open incident; false when it was no longer open (another replica resolved it first).</summary>
    public async Task<bool> ResolveAsync(Guid id, Alert resolved, CancellationToken ct)
    {
        const string sql = """
            UPDATE pgchatops.watch_incidents
            SET status = 'resolved', resolved_at = @at, updated_at = @at, alert = @alert
            WHERE id = @id AND status = 'open'
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = resolved.ResolvedAt!.Value.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("alert", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(resolved, Json) });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Silences an open incident until <paramref name="until"/> (null: the snooze ended); null when it is not open.</summary>
    public async Task<Incident?> SnoozeAsync(Guid id, string? by, DateTimeOffset? until, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE pgchatops.watch_incidents
            SET snoozed_until = @until, snoozed_by = @by,
                alert = jsonb_set(jsonb_set(alert, ARRAY['snoozedUntil'], coalesce(to_jsonb(@until), 'null')), ARRAY['snoozedBy'], coalesce(to_jsonb(@by), 'null'))
            WHERE id = @id AND status = 'open'
            RETURNING {Columns}
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter("by", NpgsqlDbType.Text) { Value = (object?)by ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("until", NpgsqlDbType.TimestampTz) { Value = until is { } u ? u.UtcDateTime : DBNull.Value });
        return await ReadAsync(cmd, ct) is [var first, ..] ? first : null;
    }

    /// <summary>
    /// A snooze still running on the same rule, target and cause (clicked on an incident that has since resolved):
    /// the incident firing again within the hour stays quiet until it ends.
    /// </summary>
    public async Task<(DateTimeOffset Until, string By)?> SnoozedAsync(string rule, string target, string cause, DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            SELECT snoozed_until, snoozed_by FROM pgchatops.watch_incidents
            WHERE rule = @rule AND target = @target AND cause = @cause AND snoozed_until > @now
            ORDER BY snoozed_until DESC LIMIT 1
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("rule", NpgsqlDbType.Text) { Value = rule });
        cmd.Parameters.Add(new NpgsqlParameter("target", NpgsqlDbType.Text) { Value = target });
        cmd.Parameters.Add(new NpgsqlParameter("cause", NpgsqlDbType.Text) { Value = cause });
        cmd.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetFieldValue<DateTimeOffset>(0), r.GetString(1)) : null;
    }

    /// <summary>Incidents of the given targets that overlap [from, now], for the history chart.</summary>
    public async Task<IReadOnlyList<Incident>> ListSinceAsync(IReadOnlyList<string> targets, DateTimeOffset from, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns} FROM pgchatops.watch_incidents
            WHERE target = ANY (@targets) AND (status = 'open' OR resolved_at >= @from)
            ORDER BY opened_at, id
            """;
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("targets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = targets.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.UtcDateTime });
        return await ReadAsync(cmd, ct);
    }

    /// <summary>Deletes incidents resolved before <paramref name="cutoff"/> (the history retention); returns how many.</summary>
    public async Task<int> PruneResolvedAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        const string sql = "DELETE FROM pgchatops.watch_incidents WHERE status = 'resolved' AND resolved_at < @cutoff";
        await using var cmd = store.Pool.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("cutoff", NpgsqlDbType.TimestampTz) { Value = cutoff.UtcDateTime });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<Incident>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<Incident>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new Incident(
                r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4),
                r.GetString(5),
                JsonSerializer.Deserialize<Alert>(r.GetString(6), Json)!,
                r.GetFieldValue<DateTimeOffset>(7),
                r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
                r.IsDBNull(9) ? null : r.GetString(9)));
        }
        return list;
    }
}

/// <summary>An incident as stored: its alert's latest state and the message that shows it.</summary>
public sealed record Incident(
    Guid Id,
    string Rule,
    string Target,
    string Cause,
    string? MessageRef,
    string Fingerprint,
    Alert Alert,
    DateTimeOffset OpenedAt,
    DateTimeOffset? SnoozedUntil,
    string? SnoozedBy);
