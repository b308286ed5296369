using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Hosting;

namespace PgChatOps.Audit;

/// <summary>
/// The <c>pgchatops</c> schema that holds pending actions and the audit log, shared by every replica.
/// Created and migrated at start-up; migrations are versioned and serialised by an advisory lock.
/// </summary>
public sealed class StateStore : IAsyncDisposable
{
    private static readonly string[] Migrations =
    [
        // 1: the audit log (append-only, enforced by the database) and pending actions.
        """
        CREATE TABLE pgchatops.audit_log (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at            timestamptz NOT NULL DEFAULT clock_timestamp(),
            event         text NOT NULL,
            platform      text NOT NULL,
            workspace     text NOT NULL,
            channel       text NOT NULL,
            thread        text,
            actor_id      text NOT NULL,
            actor_name    text NOT NULL,
            target        text,
            verb          text,
            command       text,
            action_id     uuid,
            pid           integer,
            backend_start timestamptz,
            outcome       text,
            detail        jsonb NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_log_action_id ON pgchatops.audit_log (action_id) WHERE action_id IS NOT NULL;
        CREATE INDEX audit_log_at ON pgchatops.audit_log (at);

        CREATE FUNCTION pgchatops.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            RAISE EXCEPTION 'pgchatops.audit_log is append-only: % is not allowed', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $fn$;
        CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON pgchatops.audit_log
            FOR EACH ROW EXECUTE FUNCTION pgchatops.audit_log_is_append_only();
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON pgchatops.audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION pgchatops.audit_log_is_append_only();

        CREATE TABLE pgchatops.pending_actions (
            id                uuid PRIMARY KEY,
            kind              text NOT NULL CHECK (kind IN ('cancel', 'terminate')),
            status            text NOT NULL CHECK (status IN ('pending', 'confirmed', 'executed', 'failed', 'aborted', 'expired')),
            platform          text NOT NULL,
            workspace         text NOT NULL,
            channel           text NOT NULL,
            thread            text,
            target            text NOT NULL,
            command           text NOT NULL,
            requested_by      text NOT NULL,
            requested_by_name text NOT NULL,
            created_at        timestamptz NOT NULL,
            expires_at        timestamptz NOT NULL,
            decided_by        text,
            decided_by_name   text,
            decided_at        timestamptz,
            sessions          jsonb NOT NULL,
            result            jsonb,
            message_ref       text
        );
        CREATE INDEX pending_actions_open ON pgchatops.pending_actions (expires_at) WHERE status = 'pending';
        """,
        // 2: the watch (issue 12): the leader lease, incidents (one per rule, target and root cause) and history samples.
        """
        CREATE TABLE pgchatops.watch_lease (
            name        text PRIMARY KEY,
            holder      text NOT NULL,
            acquired_at timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL
        );

        CREATE TABLE pgchatops.watch_incidents (
            id            uuid PRIMARY KEY,
            rule          text NOT NULL,
            target        text NOT NULL,
            cause         text NOT NULL,
            status        text NOT NULL CHECK (status IN ('open', 'resolved')),
            platform      text NOT NULL,
            channel       text NOT NULL,
            opened_at     timestamptz NOT NULL,
            updated_at    timestamptz NOT NULL,
            resolved_at   timestamptz,
            snoozed_until timestamptz,
            snoozed_by    text,
            message_ref   text,
            fingerprint   text NOT NULL,
            alert         jsonb NOT NULL
        );
        CREATE UNIQUE INDEX watch_incidents_one_open ON pgchatops.watch_incidents (rule, target, cause) WHERE status = 'open';
        CREATE INDEX watch_incidents_open_by_target ON pgchatops.watch_incidents (target) WHERE status = 'open';

        CREATE TABLE pgchatops.watch_history (
            target             text NOT NULL,
            at                 timestamptz NOT NULL,
            connections        integer NOT NULL,
            max_connections    integer NOT NULL,
            by_state           jsonb NOT NULL,
            waiting            integer NOT NULL,
            longest_xact_ms    bigint,
            longest_query_ms   bigint,
            PRIMARY KEY (target, at)
        );
        CREATE INDEX watch_history_at ON pgchatops.watch_history (at);
        """,
    ];

    public StateStore(IOptions<PgChatOpsOptions> options)
    {
        var o = options.Value;
        var cs = o.StateConnectionString;
        if (string.IsNullOrWhiteSpace(cs))
        {
            var name = o.DefaultTarget is { Length: > 0 } d ? d : o.Targets.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
            if (name is not null && o.Targets.TryGetValue(name, out var t))
            {
                cs = t.ConnectionString;
            }
        }
        ConnectionString = cs;
        DataSource = string.IsNullOrWhiteSpace(cs) ? null : TargetRegistry.BuildDataSource(cs, TimeSpan.FromSeconds(5));
    }

    public string? ConnectionString { get; }

    internal NpgsqlDataSource? DataSource { get; }

    public NpgsqlDataSource Source =>
        DataSource ?? throw new StateStoreUnavailableException("no state store is configured (PgChatOps:StateConnectionString, or a default target)");

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var conn = await Source.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7408231604273911)", conn, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        await using (var init = new NpgsqlCommand("""
            CREATE SCHEMA IF NOT EXISTS pgchatops;
            CREATE TABLE IF NOT EXISTS pgchatops.schema_migrations (
                version    integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, conn, tx))
        {
            await init.ExecuteNonQueryAsync(ct);
        }

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM pgchatops.schema_migrations", conn, tx))
        await using (var r = await read.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                applied.Add(r.GetInt32(0));
            }
        }

        for (var i = 0; i < Migrations.Length; i++)
        {
            var version = i + 1;
            if (applied.Contains(version))
            {
                continue;
            }
            await using var apply = new NpgsqlCommand(Migrations[i], conn, tx);
            await apply.ExecuteNonQueryAsync(ct);
            await using var mark = new NpgsqlCommand("INSERT INTO pgchatops.schema_migrations (version) VALUES (@v)", conn, tx);
            mark.Parameters.AddWithValue("v", version);
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>The latest schema version this build knows.</summary>
    public static int LatestVersion => Migrations.Length;

    public async Task<int> CurrentVersionAsync(CancellationToken ct)
    {
        await using var cmd = Source.CreateCommand("SELECT coalesce(max(version), 0) FROM pgchatops.schema_migrations");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
    }
}

/// <summary>The state store (audit log, pending actions) could not be read or written.</summary>
public sealed class StateStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
