using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;

namespace PgChatOps.IntegrationTests.Operations;

public sealed class ReadinessTests
{
    [Fact]
    public async Task Readyz_lists_each_target_and_stays_ready_when_one_is_unreachable()
    {
        await using var app = await TestApp.CreateAsync(new Dictionary<string, string?>
        {
            ["Targets:down:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=postgres",
        });
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ready", lines[0]);
        Assert.Equal($"state store: migrated (schema version {StateStore.LatestVersion})", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("target test: reachable, PostgreSQL ", StringComparison.Ordinal));
        Assert.Contains("target down: unreachable: the connection was refused, nothing listens on that host and port [08001]", lines);
        // The lifeline that cannot be had is said so, and retried; it does not make the bot unready.
        Assert.Contains(lines, l => l.StartsWith("target down: lifeline not held, retrying in the background", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readyz_is_not_ready_with_the_reason_while_the_state_store_is_not_migrated()
    {
        var options = Options.Create(new PgChatOpsOptions
        {
            Targets = { ["test"] = new TargetOptions { ConnectionString = await TestDatabase.ConnectionStringAsync() } },
            StateConnectionString = "Host=127.0.0.1;Port=1;Username=postgres",
        });
        await using var store = new StateStore(options);
        await using var targets = new TargetRegistry(options);
        var migrator = new StateStoreMigrator(store, NullLogger<StateStoreMigrator>.Instance);

        var (ready, body) = await new ReadinessCheck(migrator, store, targets).CheckAsync(CancellationToken.None);

        Assert.False(ready);
        Assert.StartsWith("not ready: state store not migrated yet\n", body, StringComparison.Ordinal);
        Assert.Contains("target test: reachable", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_hundred_parallel_readyz_requests_against_a_slow_target_cost_it_one_connection_and_sessions_still_answer()
    {
        var pg = await TestDatabase.GetAsync();
        await using var proxy = new SlowProxy(pg.Port, TimeSpan.FromSeconds(1));
        await using var mine = await TestSessions.CreateAsync();
        var session = await mine.OpenAsync();
        var slow = new Npgsql.NpgsqlConnectionStringBuilder(pg.ConnectionString) { Port = proxy.Port }.ConnectionString;
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "C123",
            ["Access:Rules:0:Allow:0"] = "view",
        }, targetConnectionString: slow);
        await Lifelines.HeldAsync(slack.App.Services.GetRequiredService<TargetRegistry>().Lifeline("test"));
        var opened = proxy.Accepted;

        var flood = Enumerable.Range(0, 200).Select(_ => slack.Http.GetAsync(new Uri("/readyz", UriKind.Relative))).ToList();
        var clock = Stopwatch.StartNew();
        var answer = await SlackKillFlowTests.AnswerAsync(slack,
            await slack.Client.CommandAsync("C123", "UANYONE", $"sessions user={mine.Role}", slack.ResponseUrl("sessions")), "sessions");
        var answeredIn = clock.Elapsed;
        var responses = await Task.WhenAll(flood);

        Assert.Contains(session.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), SlackKillFlowTests.Json(answer), StringComparison.Ordinal);
        Assert.True(answeredIn < TimeSpan.FromSeconds(10), $"sessions answered after {answeredIn}");
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(bodies, b => Assert.Contains("target test: ", b, StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.Contains("target test: reachable, PostgreSQL ", StringComparison.Ordinal));
        // One connection for the shared probe, one for the command; without sharing, the flood fills the pool (5).
        Assert.True(proxy.Accepted - opened <= 2, $"{proxy.Accepted - opened} connections opened to the target during the flood");
    }
}
