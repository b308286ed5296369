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

        // 2: a confirmed action whose result was never recorded ends 'outcome_unknown' (found at start-up).
        """
        ALTER TABLE pgchatops.pending_actions DROP CONSTRAINT pending_actions_status_check;
        ALTER TABLE pgchatops.pending_actions ADD CONSTRAINT pending_actions_status_check
            CHECK (status IN ('pending', 'confirmed', 'executed', 'failed', 'aborted', 'expired', 'outcome_unknown'));
        CREATE INDEX pending_actions_confirmed ON pgchatops.pending_actions (decided_at) WHERE status = 'confirmed';
        """,

        // 3: tamper evidence. Every audit row carries seq (gapless), prev_hash and hash = sha256(prev_hash || its canonical
        // content), assigned by a trigger that runs as the schema's owner, so the bot's role cannot write an unchained row.
        // A transaction advisory lock keeps one chain across replicas. The head records the last link after each statement,
        // so rows deleted from the end are noticed too. Rows written before this migration are chained here.
        """
        SET LOCAL statement_timeout = 0;

        ALTER TABLE pgchatops.audit_log
            ADD COLUMN seq bigint,
            ADD COLUMN prev_hash bytea,
            ADD COLUMN hash bytea;

        CREATE TABLE pgchatops.audit_chain_head (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            seq      bigint NOT NULL,
            hash     bytea NOT NULL
        );

        -- Canonical content: a JSON array of every column but hash, timestamps as epoch microseconds, jsonb as its text.
        CREATE FUNCTION pgchatops.audit_row_hash(prev_hash bytea, r pgchatops.audit_log) RETURNS bytea
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT pg_catalog.sha256(prev_hash || pg_catalog.convert_to(pg_catalog.json_build_array(
                r.seq, r.id, (extract(epoch FROM r.at) * 1000000)::bigint, r.event, r.platform, r.workspace, r.channel,
                r.thread, r.actor_id, r.actor_name, r.target, r.verb, r.command, r.action_id, r.pid,
                (extract(epoch FROM r.backend_start) * 1000000)::bigint, r.outcome, r.detail::text)::text, 'UTF8'))
        $fn$;

        CREATE FUNCTION pgchatops.audit_log_chain() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
            last_seq  bigint;
            last_hash bytea;
            head      pgchatops.audit_chain_head;
        BEGIN
            -- Held to commit: one writer at a time. Read committed then sees the previous writer's rows, and rows of this
            -- statement already processed; any other isolation that read a stale last row collides on seq's unique index.
            PERFORM pg_advisory_xact_lock(7408231604273912);
            SELECT l.seq, l.hash INTO last_seq, last_hash FROM pgchatops.audit_log l ORDER BY l.seq DESC LIMIT 1;
            SELECT * INTO STRICT head FROM pgchatops.audit_chain_head;
            IF last_seq IS NULL OR head.seq > last_seq THEN
                -- The last rows were deleted: continue after the head, so the gap stays visible.
                last_seq := head.seq;
                last_hash := head.hash;
            END IF;
            NEW.seq := last_seq + 1;
            NEW.prev_hash := last_hash;
            NEW.hash := pgchatops.audit_row_hash(last_hash, NEW);
            RETURN NEW;
        END
        $fn$;

        CREATE FUNCTION pgchatops.audit_log_chain_head() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
            UPDATE pgchatops.audit_chain_head h SET seq = i.seq, hash = i.hash
            FROM (SELECT n.seq, n.hash FROM inserted n ORDER BY n.seq DESC LIMIT 1) i;
            RETURN NULL;
        END
        $fn$;
        REVOKE ALL ON FUNCTION pgchatops.audit_log_chain_head() FROM PUBLIC;
        REVOKE ALL ON FUNCTION pgchatops.audit_log_chain() FROM PUBLIC;

        ALTER TABLE pgchatops.audit_log DISABLE TRIGGER audit_log_no_update_or_delete;
        DO $do$
        DECLARE
            r pgchatops.audit_log;
            n bigint := 0;
            h bytea := decode(repeat('00', 32), 'hex');
        BEGIN
            FOR r IN SELECT * FROM pgchatops.audit_log ORDER BY id LOOP
                n := n + 1;
                r.seq := n;
                r.prev_hash := h;
                h := pgchatops.audit_row_hash(h, r);
                UPDATE pgchatops.audit_log SET seq = n, prev_hash = r.prev_hash, hash = h WHERE id = r.id;
            END LOOP;
            INSERT INTO pgchatops.audit_chain_head (seq, hash) VALUES (n, h);
        END
        $do$;
        ALTER TABLE pgchatops.audit_log ENABLE TRIGGER audit_log_no_update_or_delete;

        ALTER TABLE pgchatops.audit_log
            ALTER COLUMN seq SET NOT NULL,
            ALTER COLUMN prev_hash SET NOT NULL,
            ALTER COLUMN hash SET NOT NULL;
        CREATE UNIQUE INDEX audit_log_seq ON pgchatops.audit_log (seq);
        CREATE TRIGGER audit_log_chain BEFORE INSERT ON pgchatops.audit_log
            FOR EACH ROW EXECUTE FUNCTION pgchatops.audit_log_chain();
        CREATE TRIGGER audit_log_chain_head AFTER INSERT ON pgchatops.audit_log
            REFERENCING NEW TABLE AS inserted
            FOR EACH STATEMENT EXECUTE FUNCTION pgchatops.audit_log_chain_head();
        """,

        // 4: delivery ids (Discord interaction ids, Slack trigger_ids) already handled, so that a replayed request
        // is handled once by all replicas together. Old rows are pruned by SeenRequests.
        """
        CREATE TABLE pgchatops.seen_requests (
            platform   text NOT NULL,
            request_id text NOT NULL,
            seen_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (platform, request_id)
        );
        CREATE INDEX seen_requests_seen_at ON pgchatops.seen_requests (seen_at);
        """,

        // 5: the watch (issue 12): the leader lease, incidents (one per rule, target and root cause) and history samples.
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
        _migrationConnectionString = o.MigrationConnectionString;
        Connections = string.IsNullOrWhiteSpace(cs)
            ? null
            : new PoolWithLifeline("state store", cs, TimeSpan.FromSeconds(5), o.Monitoring,
                (logs ?? NullLoggerFactory.Instance).CreateLogger<Lifeline>());
    }

    private readonly string? _migrationConnectionString;

    public string? ConnectionString { get; }

    /// <summary>The pool and, behind it, the lifeline that keeps audit-first working while the server is full.</summary>
    internal PoolWithLifeline? Connections { get; }

    internal NpgsqlDataSource? DataSource => Connections?.Pool;

    /// <summary>The pool alone, for work that must never take the lifeline from audit-first (the watch).</summary>
    internal NpgsqlDataSource Pool => Configured.Pool;

    /// <summary>The state store's lifeline, when a state store is configured.</summary>
    public Lifeline? Lifeline => Connections?.Lifeline;

    private PoolWithLifeline Configured =>
        Connections ?? throw new StateStoreUnavailableException("no state store is configured (PgChatOps:StateConnectionString, or a default target)");

    /// <summary>A connection to the state store: pooled, or the lifeline when the server is full.</summary>
    public Task<ConnectionLease> OpenAsync(CancellationToken ct) => Configured.OpenAsync(ct);

    /// <summary>A command on <see cref="OpenAsync"/>'s connection; disposing it gives the connection back.</summary>
    public Task<NpgsqlCommand> CommandAsync(string sql, CancellationToken ct) => Configured.CommandAsync(sql, ct);

    /// <summary>
    /// Brings the schema to <see cref="LatestVersion"/>. With <c>PgChatOps:MigrationConnectionString</c> the DDL runs as
    /// that role (the schema's owner), which then grants the state connection's role only what the bot needs; without it,
    /// the state connection migrates, as before the owner role existed. An up-to-date schema needs no DDL at all, so the
    /// bot's own role may start without any right to create or alter.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        string? botRole = null;
        if (!string.IsNullOrWhiteSpace(_migrationConnectionString))
        {
            await using var who = await CommandAsync("SELECT current_user::text", ct);
            botRole = (string)(await who.ExecuteScalarAsync(ct))!;
        }
        await using var owned = botRole is null ? null : TargetRegistry.BuildDataSource(_migrationConnectionString!, TimeSpan.FromSeconds(5));
        await using var ownedConnection = owned is null ? null : await owned.OpenConnectionAsync(ct);
        await using var lease = owned is null ? await OpenAsync(ct) : null;
        var conn = ownedConnection ?? lease!.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Migrations may take long (migration 3 chains every existing audit row): no client-side timeout here.
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7408231604273911)", conn, tx) { CommandTimeout = 0 })
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        bool schemaExists, tableExists;
        await using (var probe = new NpgsqlCommand(
            "SELECT to_regnamespace('pgchatops') IS NOT NULL, to_regclass('pgchatops.schema_migrations') IS NOT NULL", conn, tx))
        await using (var r = await probe.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (schemaExists, tableExists) = (r.GetBoolean(0), r.GetBoolean(1));
        }
        try
        {
            await ApplyAsync(conn, tx, schemaExists, tableExists, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && owned is null)
        {
            throw new StateStoreUnavailableException(
                $"the role cannot migrate schema pgchatops to version {LatestVersion} ({ex.MessageText}): set PgChatOps:MigrationConnectionString " +
                "to the schema's owner (manifests/postgres/pgchatops-role.sql)", ex);
        }

        await using (var me = new NpgsqlCommand("SELECT current_user::text", conn, tx))
        {
            if (botRole is not null && botRole != (string)(await me.ExecuteScalarAsync(ct))!)
            {
                // Idempotent, so every start repairs the grants; serialised by the advisory lock (concurrent GRANTs on one
                // object fail with "tuple concurrently updated"). The log: add and read, never change or remove.
                var role = "\"" + botRole.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                await using var grant = new NpgsqlCommand($"""
                    GRANT USAGE ON SCHEMA pgchatops TO {role};
                    GRANT SELECT ON pgchatops.schema_migrations, pgchatops.audit_chain_head TO {role};
                    GRANT SELECT, INSERT ON pgchatops.audit_log TO {role};
                    GRANT SELECT, INSERT, UPDATE ON pgchatops.pending_actions TO {role};
                    GRANT SELECT, INSERT, DELETE ON pgchatops.seen_requests TO {role};
                    GRANT SELECT, INSERT, UPDATE, DELETE ON pgchatops.watch_lease, pgchatops.watch_incidents, pgchatops.watch_history TO {role};
                    """, conn, tx);
                await grant.ExecuteNonQueryAsync(ct);
            }
        }
        await tx.CommitAsync(ct);
    }

    private static async Task ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, bool schemaExists, bool tableExists, CancellationToken ct)
    {
        if (!schemaExists)
        {
            await using var create = new NpgsqlCommand("CREATE SCHEMA pgchatops", conn, tx);
            await create.ExecuteNonQueryAsync(ct);
        }
        if (!tableExists)
        {
            await using var init = new NpgsqlCommand("""
                CREATE TABLE pgchatops.schema_migrations (
                    version    integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, conn, tx);
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
            await using var apply = new NpgsqlCommand(Migrations[i], conn, tx) { CommandTimeout = 0 };
            await apply.ExecuteNonQueryAsync(ct);
            await using var mark = new NpgsqlCommand("INSERT INTO pgchatops.schema_migrations (version) VALUES (@v)", conn, tx);
            mark.Parameters.AddWithValue("v", version);
            await mark.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The latest schema version this build knows.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>The schema version from which every audit row is hash-chained.</summary>
    public const int AuditChainVersion = 3;

    /// <summary>One migration's SQL, for tests that build a store as an older version left it.</summary>
    internal static string MigrationSql(int version) => Migrations[version - 1];

    /// <summary>The schema version, read as a probe: on the lifeline it waits only briefly, behind audit-first writes.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken ct)
    {
        await using var cmd = await Configured.CommandAsync("SELECT coalesce(max(version), 0) FROM pgchatops.schema_migrations", LifelineUse.Read, ct);
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
