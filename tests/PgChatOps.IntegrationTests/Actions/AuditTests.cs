using Npgsql;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

public sealed class AuditTests
{
    [Theory]
    [InlineData("UPDATE pgchatops.audit_log SET event = 'nothing happened'")]
    [InlineData("DELETE FROM pgchatops.audit_log")]
    [InlineData("TRUNCATE pgchatops.audit_log")]
    public async Task The_database_refuses_to_change_or_remove_audit_records(string sql)
    {
        await using var core = await CoreHost.StartAsync();
        await core.SendAsync("sessions");
        var before = await AuditRows.CountAsync(core.StateConnectionString, "true");
        Assert.True(before > 0);

        await using var conn = new NpgsqlConnection(core.StateConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(before, await AuditRows.CountAsync(core.StateConnectionString, "true"));
    }

    [Fact]
    public async Task An_unreachable_state_store_means_no_action_and_a_clear_reason()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        // Nothing listens on port 1.
        await using var core = await CoreHost.StartAsync(stateConnectionString: "Host=127.0.0.1;Port=1;Username=postgres;Database=postgres;Timeout=2");

        var reply = await core.SendAsync($"kill {victim.Pid}");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.StartsWith("Nothing was done", reply.Title, StringComparison.Ordinal);
        Assert.Contains("state store", reply.Title, StringComparison.Ordinal);
        Assert.Empty(reply.Buttons);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task A_click_while_the_state_store_is_down_does_nothing()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var stateDb = await TestDatabase.CreateDatabaseAsync("state");
        await using var core = await CoreHost.StartAsync(stateDatabase: stateDb);
        var preview = await core.SendAsync($"kill {victim.Pid}");

        // Take the state store away: nobody may connect to its database any more.
        var pg = await TestDatabase.GetAsync();
        await pg.ExecuteAsync($"ALTER DATABASE {stateDb} ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{stateDb}';");
        NpgsqlConnection.ClearAllPools();

        var click = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Error, click.Kind);
        Assert.StartsWith("Nothing was done", click.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Audit_shows_only_actions_on_targets_the_reader_may_view()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Targets:secret:ConnectionString"] = await TestDatabase.ConnectionStringAsync(),
            // carol may view the default target only.
            ["Access:Rules:1:Platform"] = "console",
            ["Access:Rules:1:Channels:0"] = "*",
            ["Access:Rules:1:Users:0"] = "carol",
            ["Access:Rules:1:Targets:0"] = "test",
            ["Access:Rules:1:Allow:0"] = "view",
        });
        var preview = await core.SendAsync($"kill {victim.Pid} target=secret");
        await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        var alice = await core.SendAsync("audit");
        var carol = await core.SendAsync("audit", "carol");

        Assert.Contains(alice.Table!.Rows, r => r[2] == "secret");
        Assert.Null(carol.Table);
        Assert.Equal("No actions recorded on the targets you may view here", carol.Title);
    }

    [Fact]
    public async Task Audit_lists_who_asked_who_confirmed_and_the_result()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Users:1"] = "bob",
        });
        var preview = await core.SendAsync($"kill {victim.Pid}", "bob");
        await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm, "alice");

        var audit = await core.SendAsync("audit last=5");

        var row = Assert.Single(audit.Table!.Rows);
        Assert.Equal(AuditReplies.Columns, audit.Table.Columns);
        Assert.Equal(["terminate", "test", "bob", "alice", $"{victim.Pid}", sessions.Role, "postgres", victim.Application], row.Skip(1).Take(8));
        Assert.NotEqual("", row[9]);
        Assert.Equal("terminated", row[10]);
    }
}
