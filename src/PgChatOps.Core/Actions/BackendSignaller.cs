using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Activity;
using PgChatOps.Commands;

namespace PgChatOps.Actions;

/// <summary>
/// Cancels or terminates previewed sessions in one SQL statement, acting only on backends whose
/// (pid, backend_start) still match and which are not protected, and saying per session what happened.
/// A cancel acts only while the query the preview showed (same query_start) is still active; an action
/// chosen by filters acts only on sessions that still match those filters at that moment.
/// </summary>
/// <remarks>
/// PostgreSQL takes one pg_stat_activity snapshot per transaction, so that statement never waits: every
/// session is checked against the same fresh snapshot and all signals go out within milliseconds. Waiting
/// for terminated backends to exit is a second step, outside that snapshot: a poll in autocommit until each
/// signalled (pid, backend_start) is gone or the terminate wait has elapsed.
/// </remarks>
public sealed class BackendSignaller(TargetRegistry targets, ProtectionPolicy protection)
{
    /// <summary>Characters of the current query kept in an outcome (where the target shows query text).</summary>
    public const int OutcomeQueryLength = 200;

    private const string Sql = $"""
        WITH wanted AS (
            SELECT w.pid, w.backend_start, w.query_start, w.state
            FROM unnest(@pids::int[], @starts::timestamptz[], @query_starts::timestamptz[], @shown_states::text[])
                AS w(pid, backend_start, query_start, state)
        ), me AS (
            SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS is_superuser,
                   pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS can_signal
        ), cur AS (
            SELECT w.pid, w.backend_start, w.query_start AS shown_query_start, w.state AS shown_state, a.pid AS live_pid, a.backend_start AS live_start,
                   a.usename, a.usesysid, a.application_name, a.backend_type,
                   a.state AS now_state, a.query_start AS now_query_start,
                   CASE WHEN @show_query THEN left(a.query, @query_len) END AS now_query,
                   coalesce(r.rolsuper, false) AS is_superuser,
                   -- The filters of a bulk action, re-applied to what the session is doing now.
                   (NOT @filtered OR coalesce(({SessionQuery.FilterPredicate}), false)) AS still_matches
            FROM wanted w
            LEFT JOIN pg_stat_activity a ON a.pid = w.pid
            LEFT JOIN pg_roles r ON r.oid = a.usesysid
        )
        SELECT c.pid, c.backend_start, c.usename,
            CASE
                WHEN c.live_pid IS NULL THEN 'gone'
                -- A role without pg_read_all_stats sees NULL here for other roles' sessions: no identity, no signal.
                WHEN c.live_start IS NULL THEN 'unverified'
                WHEN c.live_start IS DISTINCT FROM c.backend_start THEN 'reused'
                WHEN c.live_pid = pg_backend_pid()
                     OR (c.application_name = @own_app AND c.live_pid = ANY (@own_pids))
                     OR (c.usename = current_user AND c.application_name LIKE 'pgchatops-%')
                     OR c.backend_type IS DISTINCT FROM 'client backend' THEN 'protected'
                WHEN c.is_superuser AND NOT @allow_superusers THEN 'protected'
                WHEN c.usename = ANY (@protected_roles) OR c.application_name = ANY (@protected_apps) THEN 'protected'
                WHEN NOT c.still_matches THEN 'changed'
                -- A cancel is for the query the preview showed: it must still be the one running.
                WHEN NOT @terminate AND c.now_query_start IS DISTINCT FROM c.shown_query_start THEN 'changed'
                WHEN NOT @terminate AND c.now_state IS DISTINCT FROM 'active' THEN
                    CASE WHEN c.now_state IS NOT DISTINCT FROM c.shown_state THEN 'no_query' ELSE 'changed' END
                WHEN NOT (me.is_superuser
                          OR (NOT c.is_superuser
                              AND (me.can_signal OR pg_has_role(current_user, c.usesysid, 'USAGE')))) THEN 'no_privilege'
                -- No timeout: the signal is sent and the next row is checked at once; the wait for exits comes afterwards.
                -- False means the pid was no longer a PostgreSQL backend when signalled: nothing was sent.
                WHEN @terminate THEN
                    CASE WHEN pg_terminate_backend(c.pid) THEN 'terminated' ELSE 'not_signalled' END
                ELSE
                    CASE WHEN pg_cancel_backend(c.pid) THEN 'cancelled' ELSE 'not_signalled' END
            END AS outcome,
            c.now_state, c.now_query_start, c.now_query
        FROM cur c CROSS JOIN me
        ORDER BY c.pid
        """;

    /// <summary>
    /// The longest one signalling call can take: opening the connection, the signalling statement's budget and
    /// the command timeout's slack over it, then the wait for exits and its last poll's command timeout.
    /// </summary>
    public static TimeSpan LongestExecution(TimeSpan terminateWait) =>
        ConnectTimeout + Budget + CommandTimeoutSlack + terminateWait + PollInterval + PollCommandTimeout;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CommandTimeoutSlack = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The signalling statement's statement_timeout. It never waits for a backend, so this is slack for a
    /// loaded server; it only has to outlast the monitoring timeout so the statement is never cut off after
    /// some backends were already signalled.
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How soon the wait for terminated backends first looks whether they are gone; each later look waits twice as
    /// long, up to <see cref="MaxPollInterval"/>: most backends exit at once, and a slow one is not worth a read of
    /// pg_stat_activity every 50 ms on a server in trouble (while holding the lifeline, if the signal used it).
    /// </summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(800);
    private static readonly TimeSpan PollCommandTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Which of the signalled (pid, backend_start) are still there; a new statement, so a new snapshot.</summary>
    private const string StillThereSql = """
        SELECT a.pid
        FROM unnest(@pids::int[], @starts::timestamptz[]) AS w(pid, backend_start)
        JOIN pg_stat_activity a ON a.pid = w.pid AND a.backend_start = w.backend_start
        """;

    public Task<IReadOnlyList<SessionOutcome>> SignalAsync(
        string target, ActionKind kind, IReadOnlyList<PlannedSession> sessions, TimeSpan terminateWait, CancellationToken ct) =>
        SignalAsync(target, kind, sessions, null, terminateWait, ct);

    /// <param name="filter">The filters a bulk action was previewed with (re-applied at execution); null for a pid.</param>
    public async Task<IReadOnlyList<SessionOutcome>> SignalAsync(
        string target, ActionKind kind, IReadOnlyList<PlannedSession> sessions, SessionFilter? filter, TimeSpan terminateWait, CancellationToken ct)
    {
        if (sessions.Count == 0)
        {
            return [];
        }
        if (!targets.Contains(target))
        {
            throw new ActionNotStartedException($"the target {target} is no longer configured here; nothing was signalled");
        }
        ConnectionLease opened;
        try
        {
            opened = await targets.OpenAsync(target, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new ActionNotStartedException($"could not connect to {target} ({DatabaseErrors.Cause(ex)}); nothing was signalled", ex);
        }
        await using var lease = opened;
        var conn = lease.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The monitoring statement_timeout may be tight: raise it for this transaction only, so the statement
        // is never cut off after some backends were already signalled.
        await using (var set = new NpgsqlCommand($"SET LOCAL statement_timeout = {(long)Budget.TotalMilliseconds}", conn, tx))
        {
            await set.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = new NpgsqlCommand(Sql, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter("pids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = sessions.Select(s => s.Pid).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = sessions.Select(s => s.BackendStart).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("query_starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = sessions.Select(s => s.QueryStart).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("shown_states", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sessions.Select(s => s.State).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("filtered", NpgsqlDbType.Boolean) { Value = filter is not null });
        SessionQuery.AddFilterParameters(cmd, filter ?? SessionFilter.None);
        SessionQuery.AddQueryTextParameters(cmd, targets.Options(target).ShowQueryText, OutcomeQueryLength);
        cmd.Parameters.Add(new NpgsqlParameter("allow_superusers", NpgsqlDbType.Boolean) { Value = protection.AllowSuperusers });
        cmd.Parameters.Add(new NpgsqlParameter("protected_roles", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = protection.Roles.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("protected_apps", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = protection.Applications.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("terminate", NpgsqlDbType.Boolean) { Value = kind == ActionKind.Terminate });
        targets.AddOwnParameters(target, cmd);
        cmd.CommandTimeout = (int)Math.Ceiling(Budget.TotalSeconds) + 5;

        var outcomes = new List<SessionOutcome>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                outcomes.Add(new SessionOutcome(r.GetInt32(0), r.GetDateTime(1), r.GetString(3), r.IsDBNull(2) ? null : r.GetString(2),
                    r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetDateTime(5), r.IsDBNull(6) ? null : r.GetString(6)));
            }
        }
        await tx.CommitAsync(ct);

        if (kind != ActionKind.Terminate || terminateWait <= TimeSpan.Zero)
        {
            // Without a wait, a sent SIGTERM counts as terminated, as pg_terminate_backend(pid) says.
            return outcomes;
        }
        var stillThere = await WaitForExitsAsync(conn, outcomes.Where(o => o.Outcome == Outcomes.Terminated).ToList(), terminateWait, ct);
        return stillThere.Count == 0
            ? outcomes
            : outcomes.Select(o => o.Outcome == Outcomes.Terminated && stillThere.Contains(o.Pid) ? o with { Outcome = Outcomes.StillRunning } : o).ToList();
    }

    /// <summary>
    /// Polls, each time in a statement of its own (autocommit: a fresh pg_stat_activity snapshot), until every
    /// signalled backend is gone or <paramref name="wait"/> has elapsed. Returns the pids still there.
    /// </summary>
    private static async Task<HashSet<int>> WaitForExitsAsync(NpgsqlConnection conn, IReadOnlyList<SessionOutcome> signalled, TimeSpan wait, CancellationToken ct)
    {
        var remaining = signalled;
        var stillThere = new HashSet<int>();
        var clock = Stopwatch.StartNew();
        var interval = PollInterval;
        while (remaining.Count > 0)
        {
            await using (var poll = new NpgsqlCommand(StillThereSql, conn))
            {
                poll.Parameters.Add(new NpgsqlParameter("pids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = remaining.Select(o => o.Pid).ToArray() });
                poll.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = remaining.Select(o => o.BackendStart).ToArray() });
                poll.CommandTimeout = (int)PollCommandTimeout.TotalSeconds;
                stillThere.Clear();
                await using var r = await poll.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    stillThere.Add(r.GetInt32(0));
                }
            }
            remaining = remaining.Where(o => stillThere.Contains(o.Pid)).ToList();
            var left = wait - clock.Elapsed;
            if (remaining.Count == 0 || left <= TimeSpan.Zero)
            {
                break;
            }
            await Task.Delay(left < interval ? left : interval, ct);
            interval = interval * 2 < MaxPollInterval ? interval * 2 : MaxPollInterval;
        }
        return stillThere;
    }
}
