using PgChatOps.Demo;
using System.Net;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Operations;

public sealed class CheckTests(ITestOutputHelper output)
{
    private static PgChatOpsOptions Options(string targetConnectionString, string stateConnectionString) => new()
    {
        Targets = { ["test"] = new TargetOptions { ConnectionString = targetConnectionString } },
        DefaultTarget = "test",
        StateConnectionString = stateConnectionString,
    };

    private async Task<(int Exit, string[] Lines)> CheckAsync(PgChatOpsOptions options, HttpClient? http = null)
    {
        using var writer = new StringWriter();
        using var client = http ?? new HttpClient();
        var exit = await new DeploymentCheck(options, writer, client).RunAsync(null, CancellationToken.None);
        output.WriteLine($"$ check   (exit {exit})\n{writer}");
        return (exit, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Check_as_a_superuser_passes_and_says_the_role_is_more_than_needed()
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using (await CoreHost.StartAsync(stateDatabase: state))
        {
            // Migrated the state store.
        }

        var (exit, lines) = await CheckAsync(Options(await TestDatabase.ConnectionStringAsync(), await TestDatabase.ConnectionStringAsync(state)));

        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.StartsWith("ok   target test: reachable, PostgreSQL ", StringComparison.Ordinal) && l.EndsWith("as role postgres", StringComparison.Ordinal));
        Assert.Contains("ok   target test: role postgres sees other users' query text (superuser)", lines);
        Assert.Contains("ok   target test: role postgres can signal other backends (superuser)", lines);
        Assert.Contains(lines, l => l.StartsWith("warn target test: role postgres is a superuser", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok   target test: max_connections 300, in use ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"ok   state store: writable (schema version {PgChatOps.Audit.StateStore.LatestVersion}", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_as_the_least_privilege_role_passes_before_and_after_migration()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        var options = Options(await LeastPrivilegeRole.ConnectionStringAsync(), await LeastPrivilegeRole.ConnectionStringAsync(state));
        options.MigrationConnectionString = await LeastPrivilegeRole.OwnerConnectionStringAsync(state);

        var (fresh, freshLines) = await CheckAsync(options);
        await using (await CoreHost.StartAsync(stateDatabase: state, targetConnectionString: await LeastPrivilegeRole.ConnectionStringAsync(),
                         settings: new Dictionary<string, string?>
                         {
                             ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
                             ["MigrationConnectionString"] = options.MigrationConnectionString,
                         }))
        {
            // The owner role migrated the state store; the bot works as pgchatops.
        }
        var (exit, lines) = await CheckAsync(options);

        Assert.Equal(0, fresh);
        Assert.Contains(freshLines, l => l.StartsWith("ok   state store: empty; the migration role (PgChatOps:MigrationConnectionString) may create schema pgchatops", StringComparison.Ordinal));
        Assert.Equal(0, exit);
        Assert.Contains("ok   target test: role pgchatops sees other users' query text (pg_read_all_stats)", lines);
        Assert.Contains("ok   target test: role pgchatops can signal other users' backends (pg_signal_backend; never a superuser's)", lines);
        Assert.Contains(lines, l => l.StartsWith($"ok   state store: writable (schema version {PgChatOps.Audit.StateStore.LatestVersion}", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("warn target", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_fails_for_a_plain_role_naming_what_is_missing()
    {
        await using var sessions = await TestSessions.CreateAsync("plain");
        var pg = await TestDatabase.GetAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");

        var (exit, lines) = await CheckAsync(Options(pg.ConnectionStringFor("postgres", sessions.Role), pg.ConnectionStringFor(state, sessions.Role)));

        Assert.Equal(1, exit);
        Assert.Contains($"FAIL target test: role {sessions.Role} cannot see other users' query text (needs pg_monitor or pg_read_all_stats)", lines);
        Assert.Contains($"FAIL target test: role {sessions.Role} cannot signal other backends (needs pg_signal_backend or superuser)", lines);
    }

    [Fact]
    public async Task Check_fails_for_an_unreachable_target_and_invalid_settings()
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var options = Options("Host=127.0.0.1;Port=1;Username=postgres", await TestDatabase.ConnectionStringAsync(state));
        options.Access.Rules.Add(new AccessRule { Channels = ["*"], Targets = ["prd"], Allow = ["view"] });

        var (exit, lines) = await CheckAsync(options);

        Assert.Equal(1, exit);
        Assert.Contains("FAIL settings: PgChatOps:Access:Rules:0:Targets names unknown target 'prd' (configured: test)", lines);
        Assert.Contains("FAIL target test: unreachable: the connection was refused, nothing listens on that host and port [08001]", lines);
    }

    [Fact]
    public async Task Check_asks_slack_and_discord_whether_the_bot_tokens_work()
    {
        await using var api = await FakeHttpServer.StartAsync();
        api.Handler = r => r.Path switch
        {
            "/slack/auth.test" => FakeResponse.Json("""{"ok":true,"team":"Acme","user":"pgchatops","team_id":"T1","user_id":"U1"}"""),
            "/discord/users/@me" => FakeResponse.Json("""{"id":"42","username":"PgChatOps","bot":true}"""),
            _ => FakeResponse.Json("{}", HttpStatusCode.NotFound),
        };
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var options = Options(await TestDatabase.ConnectionStringAsync(), await TestDatabase.ConnectionStringAsync(state));
        options.Slack = new SlackOptions { SigningSecret = "s", BotToken = "xoxb-good", ApiBaseUrl = api.BaseUrl + "slack/" };
        options.Discord = new DiscordOptions { ApplicationId = "1", PublicKey = new string('b', 64), BotToken = "discord-good", ApiBaseUrl = api.BaseUrl + "discord/" };

        var (exit, lines) = await CheckAsync(options);

        Assert.Equal(0, exit);
        Assert.Contains("ok   slack: bot token accepted by auth.test (team Acme, bot user pgchatops)", lines);
        Assert.Contains("ok   discord: bot token accepted by users/@me (bot PgChatOps, id 42)", lines);
        var slack = Assert.Single(api.Requests, r => r.Path == "/slack/auth.test");
        Assert.Equal("POST", slack.Method);
        Assert.Equal("Bearer xoxb-good", slack.Headers["Authorization"]);
        var discord = Assert.Single(api.Requests, r => r.Path == "/discord/users/@me");
        Assert.Equal("GET", discord.Method);
        Assert.Equal("Bot discord-good", discord.Headers["Authorization"]);
    }

    [Fact]
    public async Task Check_reports_the_discord_mode_and_in_gateway_mode_whether_gateway_bot_accepts_the_token()
    {
        await using var api = await FakeHttpServer.StartAsync();
        api.Handler = r => (r.Path, r.Headers.GetValueOrDefault("Authorization")) switch
        {
            ("/discord/users/@me", "Bot discord-good") => FakeResponse.Json("""{"id":"42","username":"PgChatOps","bot":true}"""),
            ("/discord/gateway/bot", "Bot discord-good") => FakeResponse.Json(
                """{"url":"wss://gateway.discord.gg","shards":1,"session_start_limit":{"total":1000,"remaining":987,"reset_after":14400000,"max_concurrency":1}}"""),
            _ => FakeResponse.Json("""{"message":"401: Unauthorized","code":0}""", HttpStatusCode.Unauthorized),
        };
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var options = Options(await TestDatabase.ConnectionStringAsync(), await TestDatabase.ConnectionStringAsync(state));
        options.Discord = new DiscordOptions { Mode = "gateway", ApplicationId = "1", BotToken = "discord-good", ApiBaseUrl = api.BaseUrl + "discord/" };

        var (exit, lines) = await CheckAsync(options);

        Assert.Equal(0, exit);
        Assert.Contains("ok   discord: mode gateway, gateway/bot accepts the bot token (987 of 1000 session starts left today)", lines);
        Assert.Equal("GET", Assert.Single(api.Requests, r => r.Path == "/discord/gateway/bot").Method);

        options.Discord.BotToken = "discord-revoked";
        var (refusedExit, refused) = await CheckAsync(options);
        Assert.Equal(1, refusedExit);
        Assert.Contains("FAIL discord: mode gateway, but gateway/bot refused the bot token: HTTP 401 (PgChatOps:Discord:BotToken)", refused);

        options.Discord = new DiscordOptions { ApplicationId = "1", PublicKey = new string('b', 64), BotToken = "discord-good", ApiBaseUrl = api.BaseUrl + "discord/" };
        var (_, http) = await CheckAsync(options);
        Assert.Contains(http, l => l.StartsWith("ok   discord: mode http", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_fails_when_slack_or_discord_refuse_the_token()
    {
        await using var api = await FakeHttpServer.StartAsync();
        api.Handler = r => r.Path.StartsWith("/slack/", StringComparison.Ordinal)
            ? FakeResponse.Json("""{"ok":false,"error":"invalid_auth"}""")
            : FakeResponse.Json("""{"message":"401: Unauthorized","code":0}""", HttpStatusCode.Unauthorized);
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var options = Options(await TestDatabase.ConnectionStringAsync(), await TestDatabase.ConnectionStringAsync(state));
        options.Slack = new SlackOptions { SigningSecret = "s", BotToken = "xoxb-revoked", ApiBaseUrl = api.BaseUrl + "slack/" };
        options.Discord = new DiscordOptions { PublicKey = new string('b', 64), BotToken = "discord-revoked", ApiBaseUrl = api.BaseUrl + "discord/" };

        var (exit, lines) = await CheckAsync(options);

        Assert.Equal(1, exit);
        Assert.Contains("FAIL slack: auth.test refused the bot token: invalid_auth (PgChatOps:Slack:BotToken)", lines);
        Assert.Contains("FAIL discord: users/@me refused the bot token: HTTP 401 (PgChatOps:Discord:BotToken)", lines);
    }

    [Fact]
    public async Task The_check_verb_reads_the_environment_and_its_exit_code_says_whether_anything_is_missing()
    {
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        var good = AppProcess.RunAsync(AppProcess.BuiltDll, ["check"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(),
            ["PgChatOps__StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
            ["PgChatOps__MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state),
        });
        var broken = AppProcess.RunAsync(AppProcess.BuiltDll, ["check"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(),
            ["PgChatOps__Confirmation__TimeToLive"] = "soon",
        });

        output.WriteLine((await good).Stdout);
        Assert.Equal(0, (await good).ExitCode);
        Assert.Contains("ok   target prod: role pgchatops can signal other users' backends", (await good).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(LeastPrivilegeRole.Password, (await good).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(LeastPrivilegeRole.OwnerPassword, (await good).Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await broken).ExitCode);
        Assert.Equal("FAIL settings: PgChatOps:Confirmation:TimeToLive is not a duration: write hh:mm:ss, e.g. 00:05:00", (await broken).Stdout.Trim());
    }

    [Fact]
    public async Task Check_says_per_target_whether_the_bot_will_get_in_during_a_connection_storm()
    {
        await using var pg = await ThrowawayPostgres.StartAsync(settings: ["max_connections=25", "superuser_reserved_connections=3"]);
        await pg.ExecuteAsync("CREATE DATABASE app");
        await LeastPrivilegeRole.ApplyAsync("app", pg);
        await pg.ExecuteAsync("CREATE ROLE storm LOGIN");
        var target = pg.ConnectionStringFor("app", LeastPrivilegeRole.Name) + $";Password={LeastPrivilegeRole.Password}";
        var state = await LeastPrivilegeRole.CreateStateDatabaseAsync();
        var options = Options(target, await LeastPrivilegeRole.ConnectionStringAsync(state));

        // Ready: a running bot holds its lifeline there, and nothing limits the role.
        int ready;
        string[] readyLines;
        await using (var core = await CoreHost.StartAsync(targetConnectionString: target,
                         settings: new Dictionary<string, string?>
                         {
                             ["StateConnectionString"] = await LeastPrivilegeRole.ConnectionStringAsync(state),
                             ["MigrationConnectionString"] = await LeastPrivilegeRole.OwnerConnectionStringAsync(state),
                         }))
        {
            await core.LifelinePidAsync();
            (ready, readyLines) = await CheckAsync(options);
        }

        // Not ready: the role may hold fewer connections than the bot needs.
        await pg.ExecuteAsync($"ALTER ROLE {LeastPrivilegeRole.Name} CONNECTION LIMIT 2");
        var (limited, limitedLines) = await CheckAsync(options);

        // And when the server is full right now, check cannot get in either, and says why.
        await using var storm = await ConnectionStorm.FillAsync(pg, "app", "storm", "storm_check");
        var (full, fullLines) = await CheckAsync(options);
        await pg.StopAsync();

        Assert.Equal(0, ready);
        Assert.Contains(readyLines, l => l.StartsWith("ok   target test: connection slots: max_connections 25, superuser_reserved_connections 3, reserved_connections n/a (PostgreSQL 16+), free now for ordinary roles ", StringComparison.Ordinal));
        Assert.Contains("ok   target test: lifeline: a running PgChatOps holds 1 connection(s) here as role pgchatops", readyLines);
        Assert.Contains(readyLines, l => l.StartsWith("ok   target test: role pgchatops has no connection limit", StringComparison.Ordinal));
        Assert.Contains("ok   target test: in a connection storm the bot still gets in, through its lifeline", readyLines);
        Assert.DoesNotContain(readyLines, l => l.StartsWith("warn target", StringComparison.Ordinal));

        Assert.Equal(0, limited);
        Assert.Contains(limitedLines, l => l.StartsWith("warn target test: role pgchatops has a connection limit of 2 ", StringComparison.Ordinal));
        Assert.Contains("warn target test: in a connection storm the bot may not get in: role pgchatops's connection limit is 2", limitedLines);
        Assert.Contains("ok   target test: lifeline: no running PgChatOps holds a connection here now (serve opens its lifeline at start-up and keeps it)", limitedLines);

        Assert.Equal(1, full);
        Assert.Contains(fullLines, l => l.StartsWith("FAIL target test: unreachable: the server is full, every connection slot is taken [53300]", StringComparison.Ordinal)
                                        && l.Contains("a running serve gets in only through the lifeline", StringComparison.Ordinal));
    }
}
