using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Commands;

namespace PgChatOps.Audit;

/// <summary>Writes and reads <c>pgchatops.audit_log</c>. A failed write surfaces as <see cref="StateStoreUnavailableException"/>.</summary>
public sealed class AuditLog(StateStore store)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task WriteAsync(AuditEntry entry, CancellationToken ct)
    {
        try
        {
            await using var lease = await store.OpenAsync(ct);
            await WriteAsync(lease.Connection, null, [entry], ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new StateStoreUnavailableException($"the audit log could not be written ({Describe(ex)})", ex);
        }
    }

    /// <summary>Writes entries inside the caller's transaction, in one statement.</summary>
    internal static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }
        const string sql = """
            INSERT INTO pgchatops.audit_log
                (event, platform, workspace, channel, thread, actor_id, actor_name, target, verb, command,
                 action_id, pid, backend_start, outcome, detail)
            SELECT * FROM unnest(@event, @platform, @workspace, @channel, @thread, @actor_id, @actor_name, @target, @verb,
                                 @command, @action_id, @pid, @backend_start, @outcome, @detail::jsonb[])
            """;
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        Add(cmd, "event", NpgsqlDbType.Text, entries.Select(e => (object?)e.Event));
        Add(cmd, "platform", NpgsqlDbType.Text, entries.Select(e => (object?)e.Platform.Name()));
        Add(cmd, "workspace", NpgsqlDbType.Text, entries.Select(e => (object?)e.Workspace));
        Add(cmd, "channel", NpgsqlDbType.Text, entries.Select(e => (object?)e.Channel));
        Add(cmd, "thread", NpgsqlDbType.Text, entries.Select(e => (object?)e.Thread));
        Add(cmd, "actor_id", NpgsqlDbType.Text, entries.Select(e => (object?)e.ActorId));
        Add(cmd, "actor_name", NpgsqlDbType.Text, entries.Select(e => (object?)e.ActorName));
        Add(cmd, "target", NpgsqlDbType.Text, entries.Select(e => (object?)e.Target));
        Add(cmd, "verb", NpgsqlDbType.Text, entries.Select(e => (object?)e.Verb));
        Add(cmd, "command", NpgsqlDbType.Text, entries.Select(e => (object?)e.Command));
        Add(cmd, "action_id", NpgsqlDbType.Uuid, entries.Select(e => (object?)e.ActionId));
        Add(cmd, "pid", NpgsqlDbType.Integer, entries.Select(e => (object?)e.Pid));
        Add(cmd, "backend_start", NpgsqlDbType.TimestampTz, entries.Select(e => (object?)e.BackendStart));
        Add(cmd, "outcome", NpgsqlDbType.Text, entries.Select(e => (object?)e.Outcome));
        Add(cmd, "detail", NpgsqlDbType.Text, entries.Select(e => (object?)JsonSerializer.Serialize(e.Detail ?? new { }, Json)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Add(NpgsqlCommand cmd, string name, NpgsqlDbType type, IEnumerable<object?> values) =>
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type)
        {
            Value = values.Select(v => v ?? DBNull.Value).ToArray(),
        });

    /// <summary>The latest actions (confirmations) on the given targets, newest first, with their outcome counts.</summary>
    public async Task<IReadOnlyList<AuditedAction>> LatestActionsAsync(int last, IReadOnlyList<string> targets, CancellationToken ct)
    {
        const string sql = """
            SELECT p.id, p.created_at, p.kind, p.status, p.target, p.platform, p.channel,
                   p.requested_by_name, p.decided_by_name, jsonb_array_length(p.sessions) AS n,
                   coalesce((SELECT jsonb_object_agg(o.outcome, o.n)
                             FROM (SELECT l.outcome, count(*) AS n FROM pgchatops.audit_log l
                                   WHERE l.action_id = p.id AND l.event = 'executed' GROUP BY l.outcome) o), '{}') AS outcomes
            FROM pgchatops.pending_actions p
            WHERE p.target = ANY (@targets)
            ORDER BY p.created_at DESC
            LIMIT @last
            """;
        try
        {
            await using var cmd = await store.CommandAsync(sql, ct);
            cmd.Parameters.AddWithValue("last", last);
            cmd.Parameters.Add(new NpgsqlParameter("targets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = targets.ToArray() });
            var list = new List<AuditedAction>();
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var outcomes = JsonSerializer.Deserialize<Dictionary<string, int>>(r.GetString(10)) ?? [];
                list.Add(new AuditedAction(
                    r.GetGuid(0), r.GetDateTime(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                    r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetInt32(9), outcomes));
            }
            return list;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new StateStoreUnavailableException($"the audit log could not be read ({Describe(ex)})", ex);
        }
    }

    internal static string Describe(Exception ex) => ex switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        NpgsqlException { InnerException: { } inner } => inner.Message,
        _ => ex.Message,
    };
}
