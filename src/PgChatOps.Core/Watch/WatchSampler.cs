using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Activity;

namespace PgChatOps.Watch;

/// <summary>
/// Samples a target in ONE statement that serves every rule on it: pg_stat_activity is read once (materialized),
/// pg_blocking_pids runs only for lock waiters, and only candidate sessions leave the server, with the counts.
/// The only place the watch touches <see cref="TargetRegistry"/>, so a change to how connections are leased stays here.
/// </summary>
public sealed class WatchSampler(TargetRegistry targets)
{
    private const int QueryTextLimit = 1000;

    public IEnumerable<string> Targets => targets.Names;

    public async Task<TargetSample> SampleAsync(string target, SampleNeeds needs, CancellationToken ct)
    {
        // The bot's own backends are left out of the candidates (never alert on ourselves) but counted as connections.
        // A blocker may be any backend type, so blockers are looked up in a, not c.
        const string sql = """
            WITH a AS MATERIALIZED (
                SELECT pid, backend_start, usename, usesysid, datname, application_name, client_addr, client_port,
                       state, wait_event_type, wait_event, xact_start, query_start, state_change, query, backend_type
                FROM pg_stat_activity
            ), c AS MATERIALIZED (
                SELECT * FROM a
                WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
                  -- The bot's own, recognised as SessionQuery does: a session merely named pgchatops is watched like any other.
                  AND NOT ((application_name = @own_app AND pid = ANY (@own_pids))
                           OR (usename = current_user AND application_name LIKE 'pgchatops-%'))
            ), w AS MATERIALIZED (
                SELECT pid, pg_blocking_pids(pid) AS blocked_by
                FROM c
                WHERE @locks AND wait_event_type = 'Lock'
            ), picked AS (
                SELECT pid FROM c
                WHERE (@idle_min::interval IS NOT NULL AND state LIKE 'idle in transaction%' AND now() - state_change >= @idle_min)
                   OR (@run_min::interval IS NOT NULL AND state = 'active' AND now() - query_start >= @run_min)
                UNION
                SELECT pid FROM w WHERE cardinality(blocked_by) > 0
                UNION
                SELECT unnest(blocked_by) FROM w
            )
            SELECT
                (SELECT count(*) FROM a WHERE backend_type = 'client backend') AS connections,
                current_setting('max_connections')::int AS max_connections,
                (SELECT coalesce(json_object_agg(s, n), '{}')
                   FROM (SELECT coalesce(state, 'unknown') AS s, count(*) AS n FROM c GROUP BY 1) x)::text AS by_state,
                (SELECT count(*) FROM c WHERE wait_event_type = 'Lock') AS waiting,
                (SELECT (extract(epoch FROM max(now() - xact_start)) * 1000)::bigint FROM c) AS longest_xact_ms,
                (SELECT (extract(epoch FROM max(now() - query_start)) * 1000)::bigint FROM c WHERE state = 'active') AS longest_query_ms,
                (SELECT coalesce(json_agg(json_build_object(
                        'pid', a.pid,
                        'backend_start', a.backend_start,
                        'user', a.usename,
                        'db', a.datname,
                        'app', a.application_name,
                        'client', CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr)
                                       WHEN a.client_port = -1 THEN 'local' END,
                        'state', a.state,
                        'wait_type', a.wait_event_type,
                        'wait', a.wait_event,
                        'xact_ms', (extract(epoch FROM now() - a.xact_start) * 1000)::bigint,
                        'in_state_ms', (extract(epoch FROM now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.state_change END) * 1000)::bigint,
                        'query', left(a.query, @query_len),
                        'backend_type', a.backend_type,
                        'superuser', coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = a.usesysid), false),
                        'blocked_by', coalesce(w.blocked_by, ARRAY[]::int[]))), '[]')
                   FROM a JOIN picked p ON p.pid = a.pid LEFT JOIN w ON w.pid = a.pid)::text AS candidates
            """;
        // The pool only, never the lifeline: sampling must not take the connection kept for commands in a storm.
        await using var cmd = targets.Get(target).CreateCommand(sql);
        targets.AddOwnParameters(target, cmd);
        cmd.Parameters.Add(new NpgsqlParameter("locks", NpgsqlDbType.Boolean) { Value = needs.Locks });
        cmd.Parameters.Add(new NpgsqlParameter("idle_min", NpgsqlDbType.Interval) { Value = needs.IdleInTransaction is { } i ? i : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("run_min", NpgsqlDbType.Interval) { Value = needs.Running is { } r ? r : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("query_len", NpgsqlDbType.Integer) { Value = QueryTextLimit });

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var byState = JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(2)) ?? [];
        var showQuery = targets.Options(target).ShowQueryText;
        return new TargetSample(
            target,
            (int)reader.GetInt64(0),
            reader.GetInt32(1),
            byState,
            (int)reader.GetInt64(3),
            reader.IsDBNull(4) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(4)),
            reader.IsDBNull(5) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(5)),
            ReadCandidates(reader.GetString(6)),
            showQuery);
    }

    private static List<WatchedSession> ReadCandidates(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<WatchedSession>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var start = Text(e, "backend_start");
            list.Add(new WatchedSession(new SessionInfo
            {
                Pid = e.GetProperty("pid").GetInt32(),
                BackendStart = start is null ? DateTime.MinValue : DateTimeOffset.Parse(start, CultureInfo.InvariantCulture).UtcDateTime,
                IdentityVisible = start is not null,
                User = Text(e, "user"),
                Database = Text(e, "db"),
                Application = Text(e, "app"),
                Client = Text(e, "client"),
                State = Text(e, "state"),
                WaitEventType = Text(e, "wait_type"),
                WaitEvent = Text(e, "wait"),
                InState = Millis(e, "in_state_ms"),
                Query = Text(e, "query"),
                BackendType = Text(e, "backend_type") ?? "",
                IsSuperuser = e.GetProperty("superuser").GetBoolean(),
                BlockedBy = [.. e.GetProperty("blocked_by").EnumerateArray().Select(p => p.GetInt32())],
            }, Millis(e, "xact_ms")));
        }
        return list;
    }

    private static string? Text(JsonElement e, string name) =>
        e.GetProperty(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static TimeSpan? Millis(JsonElement e, string name) =>
        e.GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? TimeSpan.FromMilliseconds(v.GetInt64()) : null;
}
