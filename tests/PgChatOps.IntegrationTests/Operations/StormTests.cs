using PgChatOps.Demo;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// Issue #9: the bot works when the database is in trouble. Each test starts a small cluster of its own
/// (max_connections 25, 3 reserved for superusers) and fills it with ordinary-role logins until a fresh login is
/// refused; the bot runs as the least-privilege role (manifests/postgres/pgchatops-role.sql) and has been idle for
/// longer than its pool keeps idle connections. Filling the shared test server would starve every other test.
/// </summary>
public sealed class StormTests(ITestOutputHelper output)
{
    private static readonly string[] SmallCluster = ["max_connections=25", "superuser_reserved_connections=3"];

    [Fact]
    public async Task In_a_connection_storm_sessions_summary_blocking_and_a_confirmed_kill_work_through_Slack_with_the_state_store_on_the_target()
    {
        await using var pg = await ThrowawayPostgres.StartAsync(settings: SmallCluster);
        var target = await PrepareTargetAsync(pg);
        // No StateConnectionString: the state store lives on the default target, as by default.
        await using var slack = await StartBotAsync(target, stateConnectionString: "",
            migrationConnectionString: pg.ConnectionStringFor("app", LeastPrivilegeRole.OwnerName) + $";Password={LeastPrivilegeRole.OwnerPassword}");
        var registry = slack.App.Services.GetRequiredService<TargetRegistry>();
        var store = slack.App.Services.GetRequiredService<StateStore>();
        await Lifelines.HeldAsync(registry.Lifeline("test"));
        await Lifelines.HeldAsync(store.Lifeline!);

        await StormAndRecoverAsync(pg, slack, heldByBot: 2, round: "first");

        // The audit log, on the cluster that was full, has every step of the kill.
        var executed = await ConnectionStorm.ScalarAsync<long>(pg, "SELECT count(*) FROM pgchatops.audit_log WHERE event = 'executed' AND outcome = 'terminated'", "app");
        Assert.True(executed >= 20, $"{executed} executed rows");
        await pg.StopAsync();
    }

    [Fact]
    public async Task In_a_connection_storm_with_the_state_store_on_another_cluster_the_bot_works_and_a_lifeline_killed_from_outside_is_back_for_the_next_storm()
    {
        await using var pg = await ThrowawayPostgres.StartAsync(settings: SmallCluster);
        var target = await PrepareTargetAsync(pg);
        var stateDb = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        await using var slack = await StartBotAsync(target, await LeastPrivilegeRole.ConnectionStringAsync(stateDb),
            await LeastPrivilegeRole.OwnerConnectionStringAsync(stateDb));
        var lifeline = slack.App.Services.GetRequiredService<TargetRegistry>().Lifeline("test");
        var first = await Lifelines.HeldAsync(lifeline);

        await StormAndRecoverAsync(pg, slack, heldByBot: 1, round: "first");

        // Someone terminates the lifeline from outside; the bot re-opens it by itself, in the background.
        await pg.ExecuteAsync($"SELECT pg_terminate_backend({first})");
        var second = await Lifelines.HeldAsync(lifeline, not: first);
        Assert.NotEqual(first, second);
        Assert.Equal(1L, await ConnectionStorm.ScalarAsync<long>(pg, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {second} AND usename = 'pgchatops'"));

        await StormAndRecoverAsync(pg, slack, heldByBot: 1, round: "second");
        await pg.StopAsync();
    }

    /// <summary>A database "app" with a table to lock, the bot's role from the manifest, and an ordinary role "storm".</summary>
    private static async Task<string> PrepareTargetAsync(ThrowawayPostgres pg)
    {
        await pg.ExecuteAsync("CREATE DATABASE app");
        await LeastPrivilegeRole.ApplyAsync("app", pg);
        await pg.ExecuteAsync("CREATE ROLE storm LOGIN; CREATE TABLE storm_t (id int); GRANT ALL ON storm_t TO storm;", "app");
        return pg.ConnectionStringFor("app", LeastPrivilegeRole.Name) + $";Password={LeastPrivilegeRole.Password}";
    }

    /// <param name="migrationConnectionString">The schema owner's, as the role script sets it up: the bot's role may not migrate.</param>
    private static Task<SlackFixture> StartBotAsync(string target, string stateConnectionString, string migrationConnectionString) =>
        SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["StateConnectionString"] = stateConnectionString,
            ["MigrationConnectionString"] = migrationConnectionString,
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "C123",
            ["Access:Rules:0:Users:0"] = "UALLOWED",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
            ["Monitoring:PoolIdleLifetime"] = "00:00:01",
            ["Monitoring:LifelineCheckInterval"] = "00:00:00.200",
        }, targetConnectionString: target);

    /// <param name="heldByBot">The connections the idle bot keeps on the cluster: its lifelines.</param>
    private async Task StormAndRecoverAsync(ThrowawayPostgres pg, SlackFixture slack, int heldByBot, string round)
    {
        // Used once, then idle for longer than the pool keeps idle connections: only the lifelines remain.
        var warm = await AskAsync(slack, "sessions", $"{round}-warm");
        Assert.Contains("on test", warm, StringComparison.Ordinal);
        await ConnectionStorm.WaitForAsync(async () => await BotBackendsAsync(pg) == heldByBot, "the pool to close its idle connections");

        var app = $"storm_{round}";
        await using var storm = await ConnectionStorm.FillAsync(pg, "app", "storm", app);
        output.WriteLine($"[{round}] {storm.Connections.Count} ordinary logins, then: {storm.Refusal}");
        Assert.Contains("remaining connection slots are reserved", storm.Refusal, StringComparison.Ordinal);
        var botLogin = await ConnectionStorm.TryLoginAsync(pg, "app", LeastPrivilegeRole.Name, LeastPrivilegeRole.Password);
        output.WriteLine($"[{round}] a fresh login as the bot's role: {botLogin}");
        Assert.StartsWith(PostgresErrorCodes.TooManyConnections, botLogin, StringComparison.Ordinal);
        Assert.Equal(heldByBot, await BotBackendsAsync(pg));

        // One storm session holds a lock, another waits for it.
        var holder = storm.Connections[0];
        var waiter = storm.Connections[1];
        await using (var l = new NpgsqlCommand("BEGIN; LOCK TABLE storm_t IN ACCESS EXCLUSIVE MODE", holder))
        {
            await l.ExecuteNonQueryAsync();
        }
        var waiting = new NpgsqlCommand("SELECT count(*) FROM storm_t", waiter).ExecuteScalarAsync();
        await ConnectionStorm.WaitForAsync(async () => await ConnectionStorm.ScalarAsync<long>(pg, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {waiter.ProcessID} AND wait_event_type = 'Lock'") == 1,
            "the waiter to wait on the lock");
        var n = storm.Connections.Count;

        var sessions = await AskAsync(slack, $"sessions app={app}", $"{round}-sessions");
        Assert.Contains($"{n} sessions on test", sessions, StringComparison.Ordinal);
        var summary = await AskAsync(slack, "summary", $"{round}-summary");
        Assert.Contains("of 25 max_connections", summary, StringComparison.Ordinal);
        var blocking = await AskAsync(slack, "blocking", $"{round}-blocking");
        Assert.Contains("1 session waiting on locks on test", blocking, StringComparison.Ordinal);
        Assert.Contains(holder.ProcessID.ToString(System.Globalization.CultureInfo.InvariantCulture), blocking, StringComparison.Ordinal);

        var confirmation = await SlackKillFlowTests.AnswerAsync(slack,
            await slack.Client.CommandAsync("C123", "UALLOWED", $"kill app={app}", slack.ResponseUrl($"{round}-kill")), $"{round}-kill");
        output.WriteLine($"[{round}] /pg kill app={app}\n{SlackKillFlowTests.Json(confirmation)}");
        var confirm = SlackKillFlowTests.Actions(confirmation)!["elements"]!.AsArray()
            .Single(b => b!["action_id"]!.GetValue<string>() == "pgchatops.confirm")!;
        var id = Guid.Parse(confirm["value"]!.GetValue<string>());
        var click = await slack.Client.ClickAsync("C123", "UALLOWED", "pgchatops.confirm", id, slack.ResponseUrl($"{round}-confirm"), "1700000000.000100");
        Assert.Equal(System.Net.HttpStatusCode.OK, click.StatusCode);
        var outcome = await slack.PostedToAsync($"/response/{round}-confirm", timeout: TimeSpan.FromSeconds(60));
        output.WriteLine($"[{round}] confirmed by UALLOWED\n{SlackKillFlowTests.Json(outcome)}");

        Assert.Contains($"Terminated {n} of {n} sessions", SlackKillFlowTests.Json(outcome), StringComparison.Ordinal);
        // The waiter either got its lock when the holder went, or was terminated itself: either way it is done.
        await Assert.ThrowsAnyAsync<Exception>(async () => { await waiting; throw new InvalidOperationException("finished"); });
        Assert.Equal(0L, await ConnectionStorm.ScalarAsync<long>(pg, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{app}'"));
        Assert.Null(await ConnectionStorm.TryLoginAsync(pg, "app", "storm"));
        Assert.Null(await ConnectionStorm.TryLoginAsync(pg, "app", LeastPrivilegeRole.Name, LeastPrivilegeRole.Password));
    }

    /// <summary>A Slack command's final answer (inline, or through response_url), as JSON text.</summary>
    private async Task<string> AskAsync(SlackFixture slack, string text, string name)
    {
        var answer = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync("C123", "UALLOWED", text, slack.ResponseUrl(name)), name);
        var json = SlackKillFlowTests.Json(answer);
        output.WriteLine($"/pg {text}\n{answer["text"]}");
        Assert.DoesNotContain(PostgresErrorCodes.TooManyConnections, json, StringComparison.Ordinal);
        return json;
    }

    private static Task<long> BotBackendsAsync(ThrowawayPostgres pg) =>
        ConnectionStorm.ScalarAsync<long>(pg, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{OwnBackends.ApplicationName}'");

}
