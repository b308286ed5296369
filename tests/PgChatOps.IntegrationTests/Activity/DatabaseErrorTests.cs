using PgChatOps.Demo;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Activity;

/// <summary>
/// Each failure a user can meet, from a real cause on a server of its own (never the shared test server, which
/// other tests use in parallel), read back as the exact sentence the user sees.
/// </summary>
public sealed class DatabaseErrorTests
{
    [Fact]
    public async Task A_full_server_is_named_as_full_with_sqlstate_53300()
    {
        await using var pg = await ThrowawayPostgres.StartAsync(settings: ["max_connections=4", "superuser_reserved_connections=0", "max_wal_senders=0"]);
        var holders = new List<NpgsqlConnection>();
        try
        {
            while (true)
            {
                var conn = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
                try
                {
                    await conn.OpenAsync();
                    holders.Add(conn);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                    await conn.DisposeAsync();
                    break;
                }
            }
            await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionString);

            var reply = await core.SendAsync("sessions");

            Assert.Equal(ReplyKind.Error, reply.Kind);
            Assert.Equal("Could not get an answer from test: the server is full, every connection slot is taken [53300].", reply.Title);
        }
        finally
        {
            foreach (var conn in holders)
            {
                await conn.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_role_at_its_connection_limit_is_named_as_such_not_as_a_full_server()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await pg.ExecuteAsync("CREATE ROLE limited LOGIN CONNECTION LIMIT 0; GRANT pg_monitor TO limited");
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionStringFor("postgres", "limited"));

        var reply = await core.SendAsync("sessions");

        Assert.Equal("Could not get an answer from test: the bot's role has reached its CONNECTION LIMIT (ALTER ROLE … CONNECTION LIMIT) [53300].", reply.Title);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_named_as_a_refused_connection()
    {
        await using var core = await CoreHost.StartAsync(targetConnectionString: $"Host=127.0.0.1;Port={UnusedPort()};Username=postgres");

        var reply = await core.SendAsync("blocking");

        Assert.Equal("Could not get an answer from test: the connection was refused, nothing listens on that host and port [08001].", reply.Title);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_named_as_such()
    {
        await using var core = await CoreHost.StartAsync(targetConnectionString: "Host=pgchatops-no-such-host.invalid;Username=postgres");

        var reply = await core.SendAsync("summary");

        Assert.Equal("Could not get an answer from test: the host name does not resolve [08001].", reply.Title);
    }

    [Fact]
    public async Task A_server_that_hangs_up_is_named_as_closing_the_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var hangUps = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync();
                    client.Client.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Listener stopped.
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var core = await CoreHost.StartAsync(targetConnectionString: $"Host=127.0.0.1;Port={port};Username=postgres");

        var reply = await core.SendAsync("sessions");

        Assert.Equal("Could not get an answer from test: the server closed the connection unexpectedly [08006].", reply.Title);
        listener.Stop();
        await hangUps;
    }

    [Fact]
    public async Task A_wrong_password_is_named_as_failed_authentication()
    {
        var hba = Path.Combine(Path.GetTempPath(), $"pgchatops-hba-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(hba, """
            local all all trust
            host all bot 127.0.0.1/32 scram-sha-256
            host all all 127.0.0.1/32 trust
            """);
        try
        {
            await using var pg = await ThrowawayPostgres.StartAsync(settings: [$"hba_file={hba}"]);
            await pg.ExecuteAsync("CREATE ROLE bot LOGIN PASSWORD 'the-right-one'");
            await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionStringFor("postgres", "bot") + ";Password=a-wrong-one");

            var reply = await core.SendAsync("sessions");

            Assert.Equal("Could not get an answer from test: authentication failed, the server rejected the password [28P01].", reply.Title);
        }
        finally
        {
            File.Delete(hba);
        }
    }

    [Fact]
    public async Task A_statement_stopped_by_statement_timeout_is_named_with_the_limit()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var core = await CoreHost.StartAsync(
            new Dictionary<string, string?> { ["Monitoring:StatementTimeout"] = "00:00:01" },
            targetConnectionString: pg.ConnectionString);
        Assert.Equal(ReplyKind.Info, (await core.SendAsync("sessions")).Kind);

        // A migration holds the view every monitoring read needs.
        await using var migration = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        await migration.OpenAsync();
        await using var tx = await migration.BeginTransactionAsync();
        await using (var lockView = new NpgsqlCommand("LOCK TABLE pg_catalog.pg_stat_activity IN ACCESS EXCLUSIVE MODE", migration, tx))
        {
            await lockView.ExecuteNonQueryAsync();
        }

        var reply = await core.SendAsync("sessions");

        Assert.Equal("Could not get an answer from test: the statement timed out after 1 second and was stopped [57014].", reply.Title);
        Assert.Equal(["The server may be overloaded. Nothing was changed."], reply.Notes);
        await tx.RollbackAsync();
    }

    [Fact]
    public async Task A_server_that_is_shutting_down_is_named_as_such()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await using var lastSession = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        await lastSession.OpenAsync();
        await pg.BeginSmartShutdownAsync();
        await WaitUntilRefusedAsync(pg.ConnectionString, PostgresErrorCodes.CannotConnectNow);
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionString);

        var reply = await core.SendAsync("sessions");

        Assert.Equal("Could not get an answer from test: the server is shutting down and accepts no new connections [57P03].", reply.Title);
    }

    [Fact]
    public async Task A_standby_that_accepts_no_connections_is_named_as_in_recovery()
    {
        // A streaming standby with hot standby off stays in recovery and refuses every connection with 57P03
        // ("the database system is not accepting connections"). Both servers are small; the standby goes first.
        await using var primary = await ThrowawayPostgres.StartAsync(settings: ["max_connections=20"]);
        await using var standby = await primary.StartStandbyAsync(settings: ["hot_standby=off", "max_connections=20"]);
        await WaitUntilRefusedAsync(standby.ConnectionString, PostgresErrorCodes.CannotConnectNow);
        // The target is the standby; the state store is on the shared test server.
        await using var core = await CoreHost.StartAsync(targetConnectionString: standby.ConnectionString);

        var reply = await core.SendAsync("sessions");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal("Could not get an answer from test: the server is a standby in recovery and accepts no connections (hot_standby is off) [57P03].", reply.Title);
    }

    [Fact]
    public async Task After_an_immediate_restart_the_next_command_answers_as_if_nothing_happened()
    {
        // Target and state store on the same server, as in most deployments: both pools hold stale connections.
        // Commits must survive the crash-like stop.
        await using var pg = await ThrowawayPostgres.StartAsync(settings: ["synchronous_commit=on"]);
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionString, stateConnectionString: pg.ConnectionString);
        await core.Services.GetRequiredService<StateStoreMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        var before = await core.SendAsync("sessions");
        Assert.Equal(ReplyKind.Info, before.Kind);

        await pg.RestartAsync();
        var after = await core.SendAsync("sessions");

        Assert.Equal(ReplyKind.Info, after.Kind);
        Assert.Equal(before.Title, after.Title);
        Assert.DoesNotContain(after.Notes, n => n.Contains("Not recorded", StringComparison.Ordinal));
        Assert.Equal(2, await AuditRows.CountAsync(pg.ConnectionString, "event = 'request' AND verb = 'sessions'"));
    }

    [Fact]
    public async Task A_kill_confirmed_after_a_restart_is_not_retried_and_says_why_it_failed()
    {
        await using var pg = await ThrowawayPostgres.StartAsync();
        await pg.ExecuteAsync("CREATE ROLE victim LOGIN");
        await using var victim = new NpgsqlConnection(pg.ConnectionStringFor("postgres", "victim") + ";Pooling=false");
        await victim.OpenAsync();
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionString);
        var preview = await core.SendAsync($"kill {victim.ProcessID}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        await pg.RestartAsync();
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.Equal("Failed: the terminate on test did not complete", outcome.Title);
        Assert.Equal("the server closed the connection unexpectedly [08006]", Assert.Single(outcome.Fields, f => f.Name == "error").Value);
    }

    [Fact]
    public async Task An_unreachable_state_store_is_named_in_the_refusal()
    {
        await using var core = await CoreHost.StartAsync(stateConnectionString: $"Host=127.0.0.1;Port={UnusedPort()};Username=postgres");

        var reply = await core.SendAsync("kill 12345");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal("Nothing was done: the state store could not be read because the connection was refused, nothing listens on that host and port [08001].", reply.Title);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilRefusedAsync(string connectionString, string sqlState)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var probe = new NpgsqlConnection(connectionString + ";Pooling=false");
                await probe.OpenAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == sqlState)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the server still accepts connections, expected {sqlState}");
            await Task.Delay(50);
        }
    }
}
