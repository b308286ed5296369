using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Commands;

namespace PgChatOps.Activity;

/// <summary>Reads pg_stat_activity on a target. Each method is exactly one round trip, filtered on the server.</summary>
public sealed class ActivityReader(TargetRegistry targets)
{
    public async Task<SessionPage> ListAsync(string target, SessionFilter filter, SessionSort sort, int limit, CancellationToken ct)
    {
        var sql = $"""
            SELECT s.*, CASE WHEN s.wait_event_type = 'Lock' THEN pg_blocking_pids(s.pid) END AS blocked_by
            FROM (
                SELECT {SessionQuery.Columns},
                       count(*) OVER () AS total,
                       count(*) FILTER (WHERE a.state = 'active') OVER () AS n_active,
                       count(*) FILTER (WHERE a.state = 'idle') OVER () AS n_idle,
                       count(*) FILTER (WHERE a.state LIKE 'idle in transaction%') OVER () AS n_idle_in_tx,
                       count(*) FILTER (WHERE a.wait_event_type = 'Lock') OVER () AS n_waiting_lock
                FROM pg_stat_activity a
                WHERE {SessionQuery.FilterPredicate}
                ORDER BY {SessionQuery.OrderBy(sort)}
                LIMIT @limit
            ) s
            ORDER BY {SessionQuery.OrderBy(sort)}
            """;
        await using var cmd = await targets.CommandAsync(target, sql, ct);
        SessionQuery.AddFilterParameters(cmd, filter);
        SessionQuery.AddQueryTextParameters(cmd, targets.Options(target).ShowQueryText, SessionQuery.QueryTextLimit);
        cmd.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit });

        var rows = new List<SessionInfo>();
        long total = 0, active = 0, idle = 0, idleInTx = 0, waitingLock = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(WithBlockedBy(SessionQuery.Read(r), r));
            total = r.GetInt64(r.GetOrdinal("total"));
            active = r.GetInt64(r.GetOrdinal("n_active"));
            idle = r.GetInt64(r.GetOrdinal("n_idle"));
            idleInTx = r.GetInt64(r.GetOrdinal("n_idle_in_tx"));
            waitingLock = r.GetInt64(r.GetOrdinal("n_waiting_lock"));
        }
        return new SessionPage(rows, (int)total, (int)active, (int)idle, (int)idleInTx, (int)waitingLock);
    }

    /// <summary>
    /// The sessions a bulk action would hit: every match, protected ones included, up to <paramref name="cap"/>
    /// rows, with the true total.
    /// </summary>
    public async Task<(IReadOnlyList<SessionInfo> Sessions, int Total)> MatchAsync(string target, SessionFilter filter, int cap, CancellationToken ct)
    {
        // The bot's own monitoring backend is excluded by the predicate; every other backend named
        // pgchatops is matched and then shown as protected.
        var sql = $"""
            SELECT {SessionQuery.Columns}, count(*) OVER () AS total
            FROM pg_stat_activity a
            WHERE {SessionQuery.FilterPredicate}
            ORDER BY a.pid
            LIMIT @cap
            """;
        await using var cmd = await targets.CommandAsync(target, sql, ct);
        SessionQuery.AddFilterParameters(cmd, filter);
        SessionQuery.AddQueryTextParameters(cmd, targets.Options(target).ShowQueryText, SessionQuery.QueryTextLimit);
        cmd.Parameters.Add(new NpgsqlParameter("cap", NpgsqlDbType.Integer) { Value = cap });
        var rows = new List<SessionInfo>();
        long total = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(SessionQuery.Read(r));
            total = r.GetInt64(r.GetOrdinal("total"));
        }
        return (rows, (int)total);
    }

    /// <summary>One backend of any type, by pid; null when there is none.</summary>
    public async Task<SessionDetail?> ShowAsync(string target, int pid, int queryLength, CancellationToken ct)
    {
        var sql = $"""
            SELECT {SessionQuery.Columns},
                   pg_blocking_pids(a.pid) AS blocked_by,
                   (SELECT count(*) FROM pg_stat_activity b
                     WHERE b.wait_event_type = 'Lock' AND a.pid = ANY (pg_blocking_pids(b.pid))) AS blocking_count,
                   -- Uncorrelated, so pg_locks is read once whatever plan the server picks.
                   (SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = @pid AND NOT l.granted) AS wait_start,
                   a.client_hostname, a.client_port, a.backend_xid::text AS backend_xid, a.backend_xmin::text AS backend_xmin,
                   a.query_id, length(a.query) AS query_length
            FROM pg_stat_activity a
            WHERE a.pid = @pid
            """;
        await using var cmd = await targets.CommandAsync(target, sql, ct);
        SessionQuery.AddQueryTextParameters(cmd, targets.Options(target).ShowQueryText, queryLength);
        cmd.Parameters.Add(new NpgsqlParameter("pid", NpgsqlDbType.Integer) { Value = pid });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }
        var session = WithBlockedBy(SessionQuery.Read(r), r);
        return new SessionDetail(
            session,
            (int)r.GetInt64(r.GetOrdinal("blocking_count")),
            r.IsDBNull(r.GetOrdinal("wait_start")) ? null : r.GetDateTime(r.GetOrdinal("wait_start")),
            r.IsDBNull(r.GetOrdinal("client_hostname")) ? null : r.GetString(r.GetOrdinal("client_hostname")),
            r.IsDBNull(r.GetOrdinal("client_port")) ? null : r.GetInt32(r.GetOrdinal("client_port")),
            r.IsDBNull(r.GetOrdinal("backend_xid")) ? null : r.GetString(r.GetOrdinal("backend_xid")),
            r.IsDBNull(r.GetOrdinal("backend_xmin")) ? null : r.GetString(r.GetOrdinal("backend_xmin")),
            r.IsDBNull(r.GetOrdinal("query_id")) ? null : r.GetInt64(r.GetOrdinal("query_id")),
            r.IsDBNull(r.GetOrdinal("query_length")) ? 0 : r.GetInt32(r.GetOrdinal("query_length")));
    }

    /// <summary>How much of each query <see cref="BlockingAsync"/> reads: enough for the table's cell, with room to spare.</summary>
    internal const int BlockingQueryLength = 200;

    /// <summary>
    /// Every session waiting on a lock, and every session they wait for. Each session carries what the blocking
    /// table shows and no more: its identity, user, database, application, state, transaction start, the start of its
    /// query and whom it waits for. In a pile-up of thousands, every further column is sent thousands of times.
    /// </summary>
    public async Task<IReadOnlyList<BlockingEntry>> BlockingAsync(string target, CancellationToken ct)
    {
        var sql = $"""
            WITH act AS MATERIALIZED (
                -- pg_stat_activity once: each read of it copies every backend's status, thousands in a pile-up.
                -- pg_blocking_pids, the costly part, runs once for each session waiting on a lock and for no other.
                SELECT a.pid, a.backend_start, a.usename, a.datname, a.application_name, a.state, a.xact_start,
                       CASE WHEN @show_query THEN left(a.query, @query_len) END AS query,
                       {SessionQuery.ClaimsBotName} AS claims_bot_name,
                       CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by
                FROM pg_stat_activity a
            ), lock_waits AS MATERIALIZED (
                -- pg_locks once for all rows, never once per row: each read of it takes every lock-manager
                -- partition lock, which a pile-up of thousands of waiters is already fighting over. A backend waits
                -- for one lock at a time, so it has at most one row here.
                SELECT l.pid, l.waitstart
                FROM pg_locks l
                WHERE NOT l.granted
            )
            SELECT s.*, lw.waitstart AS wait_start
            FROM (
                -- The waiters, then those they wait for who do not wait themselves: each row taken once, without
                -- joining every backend to the set of pids involved.
                SELECT * FROM act WHERE cardinality(act.blocked_by) > 0
                UNION ALL
                SELECT * FROM act
                WHERE coalesce(cardinality(act.blocked_by), 0) = 0
                  AND act.pid IN (SELECT unnest(w.blocked_by) FROM act w)
            ) s
            LEFT JOIN lock_waits lw ON lw.pid = s.pid
            """;
        await using var cmd = await targets.CommandAsync(target, sql, ct);
        // The forest shows a short cell of each query: in a pile-up of thousands, sending 2,000 characters of every
        // waiter's text costs the server more than the read itself.
        SessionQuery.AddQueryTextParameters(cmd, targets.Options(target).ShowQueryText, BlockingQueryLength);
        var list = new List<BlockingEntry>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        // Ordinals once, not per row: the server waits while a slow reader drains thousands of rows.
        int pid = r.GetOrdinal("pid"), backendStart = r.GetOrdinal("backend_start"), user = r.GetOrdinal("usename"),
            db = r.GetOrdinal("datname"), app = r.GetOrdinal("application_name"), state = r.GetOrdinal("state"),
            xactStart = r.GetOrdinal("xact_start"), query = r.GetOrdinal("query"), claims = r.GetOrdinal("claims_bot_name"),
            blockedBy = r.GetOrdinal("blocked_by"), waitStart = r.GetOrdinal("wait_start");
        while (await r.ReadAsync(ct))
        {
            var session = new SessionInfo
            {
                Pid = r.GetInt32(pid),
                BackendStart = r.IsDBNull(backendStart) ? DateTime.MinValue : r.GetDateTime(backendStart),
                IdentityVisible = !r.IsDBNull(backendStart),
                User = r.IsDBNull(user) ? null : r.GetString(user),
                Database = r.IsDBNull(db) ? null : r.GetString(db),
                Application = r.IsDBNull(app) ? null : r.GetString(app),
                State = r.IsDBNull(state) ? null : r.GetString(state),
                XactStart = r.IsDBNull(xactStart) ? null : r.GetDateTime(xactStart),
                Query = r.IsDBNull(query) ? null : r.GetString(query),
                ClaimsBotName = r.GetBoolean(claims),
                BlockedBy = r.IsDBNull(blockedBy) ? [] : r.GetFieldValue<int[]>(blockedBy),
            };
            list.Add(new BlockingEntry(session, r.IsDBNull(waitStart) ? null : r.GetDateTime(waitStart)));
        }
        return list;
    }

    public async Task<ActivitySummary> SummarizeAsync(string target, CancellationToken ct)
    {
        const string sql = """
            WITH a AS MATERIALIZED (
                SELECT pid, state, usename, datname, application_name, wait_event_type, xact_start
                FROM pg_stat_activity
                WHERE backend_type = 'client backend'
            ), others AS (
                SELECT * FROM a WHERE pid <> pg_backend_pid()
            )
            SELECT
                (SELECT count(*) FROM a) AS connections,
                current_setting('max_connections')::int AS max_connections,
                current_setting('superuser_reserved_connections')::int AS reserved_connections,
                (SELECT coalesce(json_agg(json_build_array(k, n) ORDER BY n DESC, k), '[]')
                   FROM (SELECT coalesce(state, '(unknown)') AS k, count(*) AS n FROM others GROUP BY 1) s) AS by_state,
                (SELECT coalesce(json_agg(json_build_array(k, n) ORDER BY n DESC, k), '[]')
                   FROM (SELECT coalesce(usename, '(none)') AS k, count(*) AS n FROM others GROUP BY 1) s) AS by_user,
                (SELECT coalesce(json_agg(json_build_array(k, n) ORDER BY n DESC, k), '[]')
                   FROM (SELECT coalesce(datname, '(none)') AS k, count(*) AS n FROM others GROUP BY 1) s) AS by_db,
                (SELECT coalesce(json_agg(json_build_array(k, n) ORDER BY n DESC, k), '[]')
                   FROM (SELECT coalesce(nullif(application_name, ''), '(none)') AS k, count(*) AS n FROM others GROUP BY 1) s) AS by_app,
                (SELECT coalesce(json_agg(json_build_array(k, n) ORDER BY n DESC, k), '[]')
                   FROM (SELECT coalesce(wait_event_type, '(not waiting)') AS k, count(*) AS n FROM others GROUP BY 1) s) AS by_wait,
                (SELECT count(*) FROM others WHERE state = 'idle in transaction') AS idle_in_tx,
                (SELECT count(*) FROM others WHERE state = 'idle in transaction (aborted)') AS idle_in_tx_aborted,
                (SELECT json_build_object('pid', pid, 'user', usename, 'db', datname, 'state', state,
                                          'age_seconds', extract(epoch FROM now() - xact_start))
                   FROM others WHERE xact_start IS NOT NULL ORDER BY xact_start LIMIT 1) AS oldest_xact
            """;
        await using var cmd = await targets.CommandAsync(target, sql, ct);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);

        OldestTransaction? oldest = null;
        if (!r.IsDBNull(10))
        {
            using var doc = JsonDocument.Parse(r.GetString(10));
            var o = doc.RootElement;
            oldest = new OldestTransaction(
                o.GetProperty("pid").GetInt32(),
                o.GetProperty("user").ValueKind == JsonValueKind.Null ? null : o.GetProperty("user").GetString(),
                o.GetProperty("db").ValueKind == JsonValueKind.Null ? null : o.GetProperty("db").GetString(),
                o.GetProperty("state").ValueKind == JsonValueKind.Null ? null : o.GetProperty("state").GetString(),
                TimeSpan.FromSeconds(o.GetProperty("age_seconds").GetDouble()));
        }

        return new ActivitySummary(
            (int)r.GetInt64(0), r.GetInt32(1), r.GetInt32(2),
            Counts(r.GetString(3)), Counts(r.GetString(4)), Counts(r.GetString(5)), Counts(r.GetString(6)), Counts(r.GetString(7)),
            (int)r.GetInt64(8), (int)r.GetInt64(9), oldest);
    }

    /// <summary>Whether a target answers, and its version. One round trip.</summary>
    public async Task<string> VersionAsync(string target, CancellationToken ct)
    {
        await using var cmd = await targets.CommandAsync(target, "SELECT current_setting('server_version')", ct);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static IReadOnlyList<(string Key, int Count)> Counts(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray()
            .Select(e => (e[0].GetString() ?? "", e[1].GetInt32()))
            .ToList();
    }

    private static SessionInfo WithBlockedBy(SessionInfo s, NpgsqlDataReader r)
    {
        var i = r.GetOrdinal("blocked_by");
        return r.IsDBNull(i) ? s : s with { BlockedBy = r.GetFieldValue<int[]>(i) };
    }
}

public sealed record SessionPage(IReadOnlyList<SessionInfo> Rows, int Total, int Active, int Idle, int IdleInTransaction, int WaitingOnLocks);

public sealed record SessionDetail(
    SessionInfo Session,
    int BlockingCount,
    DateTime? WaitStart,
    string? ClientHostname,
    int? ClientPort,
    string? BackendXid,
    string? BackendXmin,
    long? QueryId,
    int QueryLength);

public sealed record BlockingEntry(SessionInfo Session, DateTime? WaitStart);

public sealed record OldestTransaction(int Pid, string? User, string? Database, string? State, TimeSpan Age);

public sealed record ActivitySummary(
    int Connections,
    int MaxConnections,
    int ReservedConnections,
    IReadOnlyList<(string Key, int Count)> ByState,
    IReadOnlyList<(string Key, int Count)> ByUser,
    IReadOnlyList<(string Key, int Count)> ByDatabase,
    IReadOnlyList<(string Key, int Count)> ByApplication,
    IReadOnlyList<(string Key, int Count)> ByWaitEventType,
    int IdleInTransaction,
    int IdleInTransactionAborted,
    OldestTransaction? OldestTransaction);
