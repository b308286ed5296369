using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Audit;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Operations;
using PgChatOps.Replies;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Audit;

/// <summary>Issue #10 item 3: the bot's own credentials cannot erase the audit trail, and a superuser who does is detected.</summary>
public sealed class AuditChainTests(ITestOutputHelper output)
{
    /// <summary>The bot as manifests/postgres/pgchatops-role.sql sets it up: pgchatops works, pgchatops_owner migrates.</summary>
    private static async Task<(CoreHost Core, string State)> StartAsRoleAsync()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        var core = await CoreHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
                ["MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state),
            },
            stateDatabase: state, targetConnectionString: await LeastPrivilegeRole.ConnectionStringAsync());
        return (core, state);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<(int Exit, string[] Lines)> CheckAsync(string state)
    {
        var options = new PgChatOpsOptions
        {
            Targets = { ["test"] = new TargetOptions { ConnectionString = await LeastPrivilegeRole.ConnectionStringAsync() } },
            DefaultTarget = "test",
            StateConnectionString = await LeastPrivilegeRole.ConnectionStringAsync(state),
        };
        using var writer = new StringWriter();
        using var http = new HttpClient();
        var exit = await new DeploymentCheck(options, writer, http).RunAsync(null, CancellationToken.None);
        output.WriteLine($"$ check   (exit {exit})\n{writer}");
        return (exit, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private async Task<Reply> VerifyAsync(CoreHost core)
    {
        var reply = await core.SendAsync("audit verify");
        output.WriteLine($"> /pg audit verify\n{TextRenderer.Render(reply)}");
        return reply;
    }

    [Theory]
    [InlineData("ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; DELETE FROM pgchatops.audit_log")]
    [InlineData("ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; UPDATE pgchatops.audit_log SET actor_name = 'nobody'")]
    [InlineData("ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; TRUNCATE pgchatops.audit_log")]
    [InlineData("DROP TRIGGER audit_log_no_update_or_delete ON pgchatops.audit_log; DELETE FROM pgchatops.audit_log")]
    [InlineData("CREATE OR REPLACE FUNCTION pgchatops.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN OLD; END$$; DELETE FROM pgchatops.audit_log")]
    [InlineData("ALTER TABLE pgchatops.audit_log RENAME TO audit_log_gone")]
    public async Task Item3_the_bot_role_cannot_disable_the_audit_triggers_and_erase_the_log(string attack)
    {
        var (core, _) = await StartAsRoleAsync();
        await using var _ = core;
        await core.SendAsync("sessions");
        var before = await AuditRows.CountAsync(core.StateConnectionString, "actor_name = 'alice'");
        Assert.True(before > 0);

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(core.StateConnectionString, attack));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Equal(before, await AuditRows.CountAsync(core.StateConnectionString, "actor_name = 'alice'"));
        Assert.Equal(ReplyKind.Info, (await VerifyAsync(core)).Kind);
    }

    [Fact]
    public async Task Item3_the_bot_role_cannot_write_an_unchained_row_or_move_the_chain_head()
    {
        var (core, _) = await StartAsRoleAsync();
        await using var _ = core;
        await core.SendAsync("sessions");

        // Its own seq and hashes are replaced by the chain's; the head is not the bot's to change.
        await ExecuteAsync(core.StateConnectionString, """
            INSERT INTO pgchatops.audit_log (event, platform, workspace, channel, actor_id, actor_name, seq, prev_hash, hash)
            VALUES ('request', 'console', 'ws', 'ops', 'mallory', 'mallory', 1, '\x00', '\x00')
            """);
        var head = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync(core.StateConnectionString, "UPDATE pgchatops.audit_chain_head SET seq = 0"));
        var verify = await VerifyAsync(core);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, head.SqlState);
        Assert.Equal(1L, await AuditRows.CountAsync(core.StateConnectionString, "actor_id = 'mallory' AND seq > 1 AND length(hash) = 32"));
        Assert.Equal(ReplyKind.Info, verify.Kind);
        Assert.StartsWith("Audit chain intact: ", verify.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item3_the_bot_role_still_runs_the_whole_kill_flow_and_every_step_is_chained()
    {
        await using var sessions = await TestSessions.CreateAsync("chain");
        var victim = await sessions.OpenActiveAsync();
        var (core, _) = await StartAsRoleAsync();
        await using var _ = core;

        var preview = await core.SendAsync($"kill {victim.Pid}");
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);
        var verify = await VerifyAsync(core);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(
            ["confirmation", "confirmed", "executed"],
            (await AuditRows.ForActionAsync(core.StateConnectionString, preview.ActionId!.Value)).Select(r => r.Event));
        Assert.Equal(0L, await AuditRows.CountAsync(core.StateConnectionString, "seq IS NULL OR hash IS NULL"));
        Assert.Equal(ReplyKind.Info, verify.Kind);
        Assert.Matches(@"^Audit chain intact: \d+ rows, every link from seq 1 to \d+ holds$", verify.Title);
    }

    [Fact]
    public async Task Item3_concurrent_writers_on_several_connections_keep_one_valid_chain()
    {
        var (core, _) = await StartAsRoleAsync();
        await using var _ = core;
        const int Writers = 8, Rounds = 40;
        // Separate stores, as separate replicas would have: their own pools, the same database.
        var stores = new List<StateStore>();
        for (var i = 0; i < Writers; i++)
        {
            stores.Add(new StateStore(Options.Create(new PgChatOpsOptions { StateConnectionString = core.StateConnectionString })));
        }

        await Task.WhenAll(stores.Select((store, w) => Task.Run(async () =>
        {
            var log = new AuditLog(store);
            for (var i = 0; i < Rounds; i++)
            {
                var entry = new AuditEntry("request", Platform.Console, "ws", "ops", $"writer{w}", $"writer {w}") { Command = $"round {i}" };
                if (i % 4 == 0)
                {
                    // Several rows in one statement and transaction, as expiries and executions write them.
                    await using var conn = await store.DataSource!.OpenConnectionAsync();
                    await using var tx = await conn.BeginTransactionAsync();
                    await AuditLog.WriteAsync(conn, tx, [entry, entry with { Command = $"round {i}b" }], CancellationToken.None);
                    await tx.CommitAsync();
                }
                else
                {
                    await log.WriteAsync(entry, CancellationToken.None);
                }
            }
        })));
        foreach (var s in stores)
        {
            await s.DisposeAsync();
        }
        var report = await new AuditLog((StateStore)core.Services.GetService(typeof(StateStore))!).VerifyChainAsync(CancellationToken.None);
        var total = await AuditRows.CountAsync(core.StateConnectionString, "true");
        var written = await AuditRows.CountAsync(core.StateConnectionString, "actor_id LIKE 'writer%'");
        var brokenLinks = await AuditRows.CountAsync(core.StateConnectionString,
            "EXISTS (SELECT 1 FROM pgchatops.audit_log n WHERE n.seq = audit_log.seq + 1 AND n.prev_hash <> audit_log.hash)");

        Assert.Equal(Writers * (Rounds + Rounds / 4), written);
        Assert.Null(report.Break);
        Assert.Equal(total, report.Rows);
        Assert.Equal(total, report.LastSeq);
        Assert.Equal(0L, brokenLinks);
        Assert.Equal(total, await AuditRows.CountAsync(core.StateConnectionString, "seq BETWEEN 1 AND @n", ("n", total)));
    }

    public static TheoryData<string, string, string> Tampering => new()
    {
        // What a superuser does (triggers disabled first), and the first broken link both /pg audit verify and check name.
        {
            "ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; DELETE FROM pgchatops.audit_log WHERE seq = 3; ALTER TABLE pgchatops.audit_log ENABLE TRIGGER USER",
            "Audit chain broken: the row with seq 3 is missing: deleted after it was written (the chain resumes at seq 4 (id 4, written ",
            "FAIL audit chain: broken: the row with seq 3 is missing: deleted after it was written (the chain resumes at seq 4 (id 4, written "
        },
        {
            "ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; UPDATE pgchatops.audit_log SET actor_name = 'someone else' WHERE seq = 2; ALTER TABLE pgchatops.audit_log ENABLE TRIGGER USER",
            "Audit chain broken: seq 2 (id 2, written ",
            "FAIL audit chain: broken: seq 2 (id 2, written "
        },
        {
            // Edited and re-hashed so the row is self-consistent: the next row no longer links to it.
            """
            ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER;
            UPDATE pgchatops.audit_log SET outcome = 'nothing happened' WHERE seq = 2;
            UPDATE pgchatops.audit_log l SET hash = pgchatops.audit_row_hash(l.prev_hash, l) WHERE seq = 2;
            ALTER TABLE pgchatops.audit_log ENABLE TRIGGER USER
            """,
            "Audit chain broken: seq 3 (id 3, written ",
            "FAIL audit chain: broken: seq 3 (id 3, written "
        },
        {
            "ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; DELETE FROM pgchatops.audit_log WHERE seq >= 4; ALTER TABLE pgchatops.audit_log ENABLE TRIGGER USER",
            "Audit chain broken: the rows with seq 4 to ",
            "FAIL audit chain: broken: the rows with seq 4 to "
        },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Item3_audit_verify_and_check_find_the_first_row_a_superuser_deleted_or_edited(string tamper, string reply, string checkLine)
    {
        var (core, state) = await StartAsRoleAsync();
        await using var _ = core;
        for (var i = 0; i < 5; i++)
        {
            await core.SendAsync("sessions");
        }
        var intact = await VerifyAsync(core);
        var (intactExit, intactLines) = await CheckAsync(state);

        await ExecuteAsync(await TestDatabase.ConnectionStringAsync(state), tamper);
        var broken = await VerifyAsync(core);
        var (exit, lines) = await CheckAsync(state);

        Assert.Equal(ReplyKind.Info, intact.Kind);
        Assert.StartsWith("Audit chain intact: ", intact.Title, StringComparison.Ordinal);
        Assert.Equal(0, intactExit);
        Assert.Contains(intactLines, l => l.StartsWith("ok   audit chain: intact: ", StringComparison.Ordinal));
        Assert.Contains("ok   audit log: owned by pgchatops_owner; role pgchatops cannot disable its triggers, change or delete rows", intactLines);
        Assert.Equal(ReplyKind.Error, broken.Kind);
        Assert.StartsWith(reply, broken.Title, StringComparison.Ordinal);
        Assert.Equal(1, exit);
        Assert.Contains(lines, l => l.StartsWith(checkLine, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Item3_audit_verify_needs_the_view_permission()
    {
        var (core, _) = await StartAsRoleAsync();
        await using var _ = core;

        var reply = await core.SendAsync("audit verify", user: "mallory");

        Assert.Equal(ReplyKind.Denied, reply.Kind);
        Assert.Contains("'view' permission", reply.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item3_check_warns_when_the_bot_role_owns_the_audit_log()
    {
        // The set-up before the owner role: the bot's role owns its state database and migrates it itself.
        var role = TestDatabase.Unique("owner");
        var pg = await TestDatabase.GetAsync();
        await pg.ExecuteAsync($"CREATE ROLE {role} LOGIN");
        var state = TestDatabase.Unique("ownstate");
        await pg.ExecuteAsync($"CREATE DATABASE {state} OWNER {role}");
        await using var store = new StateStore(Options.Create(new PgChatOpsOptions { StateConnectionString = pg.ConnectionStringFor(state, role) }));
        await store.MigrateAsync(CancellationToken.None);

        var options = new PgChatOpsOptions
        {
            Targets = { ["test"] = new TargetOptions { ConnectionString = await TestDatabase.ConnectionStringAsync() } },
            DefaultTarget = "test",
            StateConnectionString = pg.ConnectionStringFor(state, role),
        };
        using var writer = new StringWriter();
        using var http = new HttpClient();
        var exit = await new DeploymentCheck(options, writer, http).RunAsync(null, CancellationToken.None);
        output.WriteLine(writer.ToString());
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal(0, exit);
        Assert.Contains(
            $"warn audit log: role {role} owns pgchatops.audit_log, so the bot's credentials can disable its triggers and erase it; " +
            "create an owner role and migrate as it: manifests/postgres/pgchatops-role.sql, PgChatOps:MigrationConnectionString", lines);
        Assert.Contains(lines, l => l.StartsWith("ok   audit chain: intact", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Item3_the_migrate_verb_migrates_as_the_owner_so_serving_replicas_need_only_the_bots_credentials()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        var env = new Dictionary<string, string>
        {
            ["PgChatOps__Targets__test__ConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(),
            ["PgChatOps__StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
        };
        var withoutOwner = await AppProcess.RunAsync(AppProcess.BuiltDll, ["migrate"], env);
        env["PgChatOps__MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state);

        var migrate = await AppProcess.RunAsync(AppProcess.BuiltDll, ["migrate"], env);
        output.WriteLine($"$ migrate (no owner)\n{withoutOwner.Stdout}$ migrate\n{migrate.Stdout}");
        await using var core = await CoreHost.StartAsync(
            new Dictionary<string, string?> { ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state) },
            stateDatabase: state, targetConnectionString: await LeastPrivilegeRole.ConnectionStringAsync());
        await core.SendAsync("sessions");
        var verify = await VerifyAsync(core);

        Assert.Equal(1, withoutOwner.ExitCode);
        Assert.Equal(
            $"FAIL state store: not migrated: the role cannot migrate schema pgchatops to version {StateStore.LatestVersion} (permission denied for schema pgchatops): " +
            "set PgChatOps:MigrationConnectionString to the schema's owner (manifests/postgres/pgchatops-role.sql)", withoutOwner.Stdout.Trim());
        Assert.Equal(0, migrate.ExitCode);
        Assert.Equal($"ok   state store: migrated to schema version {StateStore.LatestVersion} as the migration role (PgChatOps:MigrationConnectionString)", migrate.Stdout.Trim());
        Assert.DoesNotContain(LeastPrivilegeRole.OwnerPassword, migrate.Stdout, StringComparison.Ordinal);
        Assert.Equal(ReplyKind.Info, verify.Kind);
        Assert.StartsWith("Audit chain intact: ", verify.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item3_check_on_an_empty_store_names_the_migration_setting_when_the_bot_role_may_not_create_tables()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();

        var (exit, lines) = await CheckAsync(state);

        Assert.Equal(1, exit);
        Assert.Contains(lines, l => l.StartsWith("FAIL state store: empty, and the role may not create schema pgchatops' tables (", StringComparison.Ordinal)
                                    && l.EndsWith("set PgChatOps:MigrationConnectionString to the schema's owner (manifests/postgres/pgchatops-role.sql)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Item3_the_role_script_takes_a_store_the_bot_role_owned_away_from_it_and_the_owner_chains_its_old_rows()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        // As an earlier version of the script and the bot left it: the bot's role owns the schema, its tables and rows.
        await ExecuteAsync(await TestDatabase.ConnectionStringAsync(state), $"""
            ALTER SCHEMA pgchatops OWNER TO pgchatops;
            GRANT CREATE ON DATABASE {state} TO pgchatops;
            SET ROLE pgchatops;
            CREATE TABLE pgchatops.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            {StateStore.MigrationSql(1)};
            INSERT INTO pgchatops.schema_migrations (version) VALUES (1);
            INSERT INTO pgchatops.audit_log (event, platform, workspace, channel, actor_id, actor_name)
            SELECT 'request', 'console', 'ws', 'ops', 'old' || i, 'old ' || i FROM generate_series(1, 10) i;
            """);

        await LeastPrivilegeRole.ApplyAsync(state);
        var core = await CoreHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
                ["MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state),
            },
            stateDatabase: state, targetConnectionString: await LeastPrivilegeRole.ConnectionStringAsync());
        await using var _ = core;
        await core.SendAsync("sessions");
        var verify = await VerifyAsync(core);
        var owners = await TestDatabase.ScalarAsync<string>(
            "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'pgchatops'", state);
        var attack = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(core.StateConnectionString,
            "ALTER TABLE pgchatops.audit_log DISABLE TRIGGER USER; DELETE FROM pgchatops.audit_log"));

        Assert.Equal("pgchatops_owner", owners);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, attack.SqlState);
        Assert.Equal(10L, await AuditRows.CountAsync(core.StateConnectionString, "actor_id LIKE 'old%' AND seq = id"));
        Assert.Equal(ReplyKind.Info, verify.Kind);
        Assert.StartsWith("Audit chain intact: ", verify.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item3_rows_written_before_the_chain_existed_are_chained_by_the_migration()
    {
        var db = await TestDatabase.CreateDatabaseAsync("oldstate");
        var cs = await TestDatabase.ConnectionStringAsync(db);
        // The store as version 1 left it, with rows in it.
        await ExecuteAsync(cs, $"""
            CREATE SCHEMA pgchatops;
            CREATE TABLE pgchatops.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            {StateStore.MigrationSql(1)};
            INSERT INTO pgchatops.schema_migrations (version) VALUES (1);
            INSERT INTO pgchatops.audit_log (event, platform, workspace, channel, actor_id, actor_name, detail)
            SELECT 'request', 'console', 'ws', 'ops', 'old' || i, 'old ' || i, jsonb_build_object('i', i, 'z', 'é"\')
            FROM generate_series(1, 25) i;
            """);
        await using var store = new StateStore(Options.Create(new PgChatOpsOptions { StateConnectionString = cs }));

        await store.MigrateAsync(CancellationToken.None);
        await new AuditLog(store).WriteAsync(new AuditEntry("request", Platform.Console, "ws", "ops", "new", "new"), CancellationToken.None);
        var report = await new AuditLog(store).VerifyChainAsync(CancellationToken.None);

        Assert.Null(report.Break);
        Assert.Equal(26, report.Rows);
        Assert.Equal(26, report.LastSeq);
        Assert.Equal(25L, await AuditRows.CountAsync(cs, "actor_id LIKE 'old%' AND seq = id"));
        Assert.Equal(1L, await AuditRows.CountAsync(cs, "actor_id = 'new' AND seq = 26"));
    }
}
