using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>The whole kill flow with the bot connected as manifests/postgres/pgchatops-role.sql's role.</summary>
public sealed class DatabaseRoleTests
{
    private static async Task<CoreHost> StartAsRoleAsync(IDictionary<string, string?>? settings = null)
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
            ["MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state),
        };
        return await CoreHost.StartAsync(all, stateDatabase: state, targetConnectionString: await LeastPrivilegeRole.ConnectionStringAsync());
    }

    [Fact]
    public async Task Item3_the_owner_role_owns_the_state_schema_it_migrated_and_the_bot_role_owns_nothing()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        await using (await CoreHost.StartAsync(
                         new Dictionary<string, string?>
                         {
                             ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
                             ["MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state),
                         },
                         stateDatabase: state, targetConnectionString: await LeastPrivilegeRole.ConnectionStringAsync()))
        {
        }

        var owners = await TestDatabase.ScalarAsync<string>(
            "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'pgchatops'", state);
        var schemaOwner = await TestDatabase.ScalarAsync<string>(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'pgchatops'", state);
        var super = await TestDatabase.ScalarAsync<bool>("SELECT bool_or(rolsuper) FROM pg_roles WHERE rolname IN ('pgchatops', 'pgchatops_owner')");
        var botIsMember = await TestDatabase.ScalarAsync<bool>("SELECT pg_has_role('pgchatops', 'pgchatops_owner', 'MEMBER')");
        var botLogPrivileges = await TestDatabase.ScalarAsync<string>(
            """
            SELECT string_agg(p, ',' ORDER BY p) FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) p
            WHERE has_table_privilege('pgchatops', 'pgchatops.audit_log', p)
            """, state);

        Assert.Equal("pgchatops_owner", owners);
        Assert.Equal("pgchatops_owner", schemaOwner);
        Assert.False(super);
        Assert.False(botIsMember);
        Assert.Equal("INSERT,SELECT", botLogPrivileges);
    }

    [Fact]
    public async Task The_least_privilege_role_sees_query_text_and_kills_an_ordinary_users_backend()
    {
        await using var sessions = await TestSessions.CreateAsync("victim");
        var victim = await sessions.OpenActiveAsync();
        await using var core = await StartAsRoleAsync();

        var listed = await core.SendAsync($"sessions user={sessions.Role}");
        var preview = await core.SendAsync($"kill {victim.Pid}");
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Contains($"pg_sleep(600) /* {victim.Application} */", TextRenderer.Render(listed), StringComparison.Ordinal);
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.Contains("terminated", TextRenderer.Render(outcome), StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task The_role_cannot_touch_a_superusers_backend_even_when_allowed_and_the_bot_says_why()
    {
        await using var sessions = await TestSessions.CreateAsync("su");
        var app = sessions.App("superuser");
        var superuser = await sessions.OpenActiveAsync(app: app, user: "postgres");
        await using var core = await StartAsRoleAsync(new Dictionary<string, string?> { ["Protection:AllowSuperusers"] = "true" });

        var preview = await core.SendAsync($"kill app={app}");
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);
        var text = TextRenderer.Render(outcome);

        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.Contains("not allowed: the bot's role may not signal it", text, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(superuser));
        var audited = await TestDatabase.ScalarAsync<string>(
            "SELECT outcome FROM pgchatops.audit_log WHERE action_id = @id AND event = 'executed'",
            await CurrentStateDatabaseAsync(core), ("id", preview.ActionId!.Value));
        Assert.Equal("no_privilege", audited);
    }

    private static Task<string> CurrentStateDatabaseAsync(CoreHost core)
    {
        var store = (PgChatOps.Audit.StateStore)core.Services.GetService(typeof(PgChatOps.Audit.StateStore))!;
        return Task.FromResult(new Npgsql.NpgsqlConnectionStringBuilder(store.ConnectionString).Database!);
    }
}
