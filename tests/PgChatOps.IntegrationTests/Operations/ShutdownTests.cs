using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Operations;

public sealed class ShutdownTests
{
    [Fact]
    public async Task A_pending_action_outlives_the_replica_that_posted_it()
    {
        await using var sessions = await TestSessions.CreateAsync("survive");
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");

        Guid actionId;
        await using (var a = await CoreHost.StartAsync(stateDatabase: state))
        {
            actionId = (await a.SendAsync($"kill {victim.Pid}")).ActionId!.Value;
        }
        await using var next = await CoreHost.StartAsync(stateDatabase: state);
        var outcome = await next.ClickAsync(actionId, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.False(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task A_command_in_flight_when_the_server_stops_still_gets_its_full_answer()
    {
        await using var sessions = await TestSessions.CreateAsync("inflight");
        await sessions.OpenAsync();
        var pg = await TestDatabase.GetAsync();
        await using var proxy = new SlowProxy(pg.Port, TimeSpan.FromSeconds(2));
        await using var app = await TestApp.CreateAsync(new Dictionary<string, string?>
        {
            ["Targets:slow:ConnectionString"] = $"Host=127.0.0.1;Port={proxy.Port};Username=postgres;Database=postgres",
            ["Access:Rules:0:Platform"] = "console",
            ["Access:Rules:0:Channels:0"] = "*",
            ["Access:Rules:0:Allow:0"] = "view",
        });
        var pipeline = app.Services.GetRequiredService<CommandPipeline>();
        var host = app.Services.GetRequiredService<IHost>();
        var shutdownTimeout = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

        var inFlight = pipeline.HandleAsync(CoreHost.Request($"sessions target=slow user={sessions.Role}"), CancellationToken.None);
        await Task.Delay(500);
        Assert.False(inFlight.IsCompleted);
        await host.StopAsync();
        var reply = await inFlight;

        Assert.Equal(TimeSpan.FromSeconds(30), shutdownTimeout);
        Assert.Equal(ReplyKind.Info, reply.Kind);
        Assert.Single(reply.Table!.Rows);
    }
}
