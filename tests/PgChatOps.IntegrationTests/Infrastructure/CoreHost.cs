using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// The real core (no HTTP) against the test server, with settings given in memory only: nothing from
/// appsettings.json leaks in. Each host gets a state store database of its own unless told otherwise.
/// </summary>
public sealed class CoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CoreHost(IHost host, string target) => (_host, Target) = (host, target);

    public string Target { get; }
    public IServiceProvider Services => _host.Services;
    public CommandPipeline Pipeline => Services.GetRequiredService<CommandPipeline>();

    /// <summary>
    /// Starts a core with one target, <c>test</c>, on the test server. <paramref name="settings"/> add or
    /// override keys under <c>PgChatOps:</c>. The default rule lets console user <c>alice</c> do everything.
    /// </summary>
    public static async Task<CoreHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        string? stateDatabase = null,
        bool defaultRules = true,
        string? targetConnectionString = null,
        string? stateConnectionString = null)
    {
        stateDatabase ??= stateConnectionString is null ? await TestDatabase.CreateDatabaseAsync("state") : "unused";
        var all = new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:test:ConnectionString"] = targetConnectionString ?? await TestDatabase.ConnectionStringAsync(),
            ["PgChatOps:DefaultTarget"] = "test",
            ["PgChatOps:StateConnectionString"] = stateConnectionString ?? await TestDatabase.ConnectionStringAsync(stateDatabase),
        };
        if (defaultRules)
        {
            all["PgChatOps:Access:Rules:0:Platform"] = "console";
            all["PgChatOps:Access:Rules:0:Channels:0"] = "*";
            all["PgChatOps:Access:Rules:0:Users:0"] = "alice";
            all["PgChatOps:Access:Rules:0:Allow:0"] = "view";
            all["PgChatOps:Access:Rules:0:Allow:1"] = "cancel";
            all["PgChatOps:Access:Rules:0:Allow:2"] = "terminate";
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k.StartsWith("PgChatOps:", StringComparison.Ordinal) ? k : "PgChatOps:" + k] = v;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.AddPgChatOps();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        if (time is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(time));
        }
        var host = builder.Build();
        await host.StartAsync();
        if (stateConnectionString is null)
        {
            await host.Services.GetRequiredService<StateStoreMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        }
        return new CoreHost(host, "test");
    }

    public static ChatUser User(string id, params string[] groups) => new(id, id, groups);

    public static ChatRequest Request(string text, string user = "alice", string channel = "ops", Platform platform = Platform.Console, params string[] groups) =>
        new(platform, "ws", channel, null, User(user, groups), text);

    public Task<Reply> SendAsync(string text, string user = "alice", string channel = "ops", Platform platform = Platform.Console, params string[] groups) =>
        Pipeline.HandleAsync(Request(text, user, channel, platform, groups), CancellationToken.None);

    /// <summary>The state store database's connection string, as configured.</summary>
    public string StateConnectionString => Services.GetRequiredService<PgChatOps.Audit.StateStore>().ConnectionString!;

    public Task<Reply> ClickAsync(Guid actionId, ButtonRole role, string user = "alice", string channel = "ops", Platform platform = Platform.Console, params string[] groups) =>
        Pipeline.HandleClickAsync(new ButtonClick(platform, "ws", channel, User(user, groups), actionId, role), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
