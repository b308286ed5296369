using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;

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
}
