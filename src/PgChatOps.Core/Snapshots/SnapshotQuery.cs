using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Commands;

namespace PgChatOps.Snapshots;

/// <summary>
/// One read of pg_stat_activity for a snapshot: every client backend but the one running this statement, with the
/// columns the bot shows (<see cref="SessionQuery.Columns"/>), the rest of the row, and its lock waits.
/// </summary>
internal static class SnapshotQuery
{
    /// <summary>Query text in a file is not cut to chat size; this only bounds a pathological row.</summary>
    public const int QueryTextLimit = 1_000_000;

    // The MATERIALIZED CTE reads pg_stat_activity once, so counts, rows and lock waits describe one moment.
    public const string Sql = $"""
        WITH a AS MATERIALIZED (
            SELECT * FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
        ), {Rest}
        """;

    /// <summary>The sessions a <c>/pg sessions</c> filter matches (<see cref="SessionQuery.FilterPredicate"/>), all of them.</summary>
    public const string FilteredSql = $"""
        WITH a AS MATERIALIZED (
            SELECT a.* FROM pg_stat_activity a
            WHERE {SessionQuery.FilterPredicate}
        ), {Rest}
        """;

    private const string Rest = $"""
        w AS (
            SELECT pid, pg_blocking_pids(pid) AS blocked_by FROM a WHERE wait_event_type = 'Lock'
        ), lw AS (
            SELECT pid, min(waitstart) AS wait_start FROM pg_locks WHERE NOT granted GROUP BY pid
        )
        SELECT {SessionQuery.Columns},
               a.client_hostname, a.client_port, a.backend_xid::text AS backend_xid, a.backend_xmin::text AS backend_xmin,
               a.query_id, coalesce(w.blocked_by, ARRAY[]::int[]) AS blocked_by, lw.wait_start, now() AS taken_at
        FROM a
        LEFT JOIN w ON w.pid = a.pid
        LEFT JOIN lw ON lw.pid = a.pid
        ORDER BY a.pid
        """;

    /// <param name="filter">Null for every client session; otherwise the sessions it matches, as <c>/pg sessions</c> counts them.</param>
    public static async Task<(DateTimeOffset TakenAt, IReadOnlyList<SnapshotSession> Sessions)> ReadAsync(
        TargetRegistry targets, string target, SessionFilter? filter, CancellationToken ct)
    {
        var showQueryText = targets.Options(target).ShowQueryText;
        await using var cmd = await targets.CommandAsync(target, filter is null ? Sql : FilteredSql, ct);
        SessionQuery.AddQueryTextParameters(cmd, showQueryText, QueryTextLimit);
        if (filter is not null)
        {
            SessionQuery.AddFilterParameters(cmd, filter);
        }
        var sessions = new List<SnapshotSession>();
        DateTimeOffset? takenAt = null;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var session = SessionQuery.Read(r) with { BlockedBy = r.GetFieldValue<int[]>(r.GetOrdinal("blocked_by")) };
            sessions.Add(new SnapshotSession(
                session,
                Nullable<string>(r, "client_hostname"),
                Nullable<int>(r, "client_port"),
                Nullable<string>(r, "backend_xid"),
                Nullable<string>(r, "backend_xmin"),
                Nullable<long>(r, "query_id"),
                Nullable<DateTime>(r, "wait_start")));
            takenAt ??= new DateTimeOffset(r.GetDateTime(r.GetOrdinal("taken_at")));
        }
        // With no other client backend the statement returns no row, and so no server time: say when we asked.
        return (takenAt ?? DateTimeOffset.UtcNow, sessions);
    }

    private static T? Nullable<T>(NpgsqlDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? default : r.GetFieldValue<T>(i);
    }
}
