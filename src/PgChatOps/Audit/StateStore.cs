using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
    ];

    public StateStore(IOptions<PgChatOpsOptions> options, ILoggerFactory? logs = null)
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
        Connections = string.IsNullOrWhiteSpace(cs)
            ? null
            : new PoolWithLifeline("state store", cs, TimeSpan.FromSeconds(5), o.Monitoring,
                (logs ?? NullLoggerFactory.Instance).CreateLogger<Lifeline>());
    }

    public string? ConnectionString { get; }

    /// <summary>The pool and, behind it, the lifeline that keeps audit-first working while the server is full.</summary>
    internal PoolWithLifeline? Connections { get; }

    internal NpgsqlDataSource? DataSource => Connections?.Pool;

    /// <summary>The state store's lifeline, when a state store is configured.</summary>
    public Lifeline? Lifeline => Connections?.Lifeline;

    private PoolWithLifeline Configured =>
        Connections ?? throw new StateStoreUnavailableException("no state store is configured (PgChatOps:StateConnectionString, or a default target)");

    /// <summary>A connection to the state store: pooled, or the lifeline when the server is full.</summary>
    public Task<ConnectionLease> OpenAsync(CancellationToken ct) => Configured.OpenAsync(ct);

    /// <summary>A command on <see cref="OpenAsync"/>'s connection; disposing it gives the connection back.</summary>
    public Task<NpgsqlCommand> CommandAsync(string sql, CancellationToken ct) => Configured.CommandAsync(sql, ct);

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var lease = await OpenAsync(ct);
        var conn = lease.Connection;
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
        await using var cmd = await CommandAsync("SELECT coalesce(max(version), 0) FROM pgchatops.schema_migrations", ct);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (Connections is not null)
        {
            await Connections.DisposeAsync();
        }
    }
}

/// <summary>The state store (audit log, pending actions) could not be read or written.</summary>
public sealed class StateStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
