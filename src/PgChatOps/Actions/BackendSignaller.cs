using Npgsql;
using NpgsqlTypes;
using PgChatOps.Activity;

namespace PgChatOps.Actions;

/// <summary>
/// Cancels or terminates previewed sessions in one SQL statement, acting only on backends whose
/// (pid, backend_start) still match and which are not protected, and saying per session what happened.
/// </summary>
public sealed class BackendSignaller(TargetRegistry targets, ProtectionPolicy protection)
{
    private const string Sql = """
        WITH wanted AS (
            SELECT w.pid, w.backend_start
            FROM unnest(@pids::int[], @starts::timestamptz[]) AS w(pid, backend_start)
        ), me AS (
            SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS is_superuser,
                   pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS can_signal
        ), cur AS (
            SELECT w.pid, w.backend_start, a.pid AS live_pid, a.backend_start AS live_start, a.usename,
                   a.usesysid, a.application_name, a.backend_type,
                   coalesce(r.rolsuper, false) AS is_superuser
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
                WHEN c.live_pid = pg_backend_pid() OR (c.live_pid = ANY (@own_pids) AND c.application_name = @own_app)
                     OR c.backend_type IS DISTINCT FROM 'client backend' THEN 'protected'
                WHEN c.is_superuser AND NOT @allow_superusers THEN 'protected'
                WHEN c.usename = ANY (@protected_roles) OR c.application_name = ANY (@protected_apps) THEN 'protected'
                WHEN NOT (me.is_superuser
                          OR (NOT c.is_superuser
                              AND (me.can_signal OR pg_has_role(current_user, c.usesysid, 'USAGE')))) THEN 'no_privilege'
                WHEN @terminate THEN
                    CASE WHEN pg_terminate_backend(c.pid, @wait_ms) THEN 'terminated' ELSE 'still_running' END
                ELSE
                    CASE WHEN pg_cancel_backend(c.pid) THEN 'cancelled' ELSE 'not_signalled' END
            END AS outcome
        FROM cur c CROSS JOIN me
        ORDER BY c.pid
        """;

    public async Task<IReadOnlyList<SessionOutcome>> SignalAsync(
        string target, ActionKind kind, IReadOnlyList<PlannedSession> sessions, TimeSpan terminateWait, CancellationToken ct)
    {
        if (sessions.Count == 0)
        {
            return [];
        }
        // Waiting for backends to exit may outlast the monitoring statement_timeout: raise it for this
        // transaction only, so the statement is never cut off after some backends were already signalled.
        var budget = TimeSpan.FromTicks(terminateWait.Ticks * Math.Max(1, sessions.Count)) + TimeSpan.FromSeconds(30);
        await using var lease = await targets.OpenAsync(target, ct);
        var conn = lease.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var set = new NpgsqlCommand($"SET LOCAL statement_timeout = {(long)budget.TotalMilliseconds}", conn, tx))
        {
            await set.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = new NpgsqlCommand(Sql, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter("pids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = sessions.Select(s => s.Pid).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = sessions.Select(s => s.BackendStart).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("allow_superusers", NpgsqlDbType.Boolean) { Value = protection.AllowSuperusers });
        cmd.Parameters.Add(new NpgsqlParameter("protected_roles", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = protection.Roles.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("protected_apps", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = protection.Applications.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("terminate", NpgsqlDbType.Boolean) { Value = kind == ActionKind.Terminate });
        TargetRegistry.AddOwnParameters(cmd);
        cmd.Parameters.Add(new NpgsqlParameter("wait_ms", NpgsqlDbType.Bigint) { Value = (long)terminateWait.TotalMilliseconds });
        cmd.CommandTimeout = (int)Math.Ceiling(budget.TotalSeconds) + 5;

        var outcomes = new List<SessionOutcome>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                outcomes.Add(new SessionOutcome(r.GetInt32(0), r.GetDateTime(1), r.GetString(3), r.IsDBNull(2) ? null : r.GetString(2)));
            }
        }
        await tx.CommitAsync(ct);
        return outcomes;
    }
}
