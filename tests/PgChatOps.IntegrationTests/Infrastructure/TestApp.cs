using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PgChatOps.Hosting;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// The real HTTP app (<c>serve</c>) in process, against the test PostgreSQL, with settings in memory only
/// (appsettings.json is not read). Use <see cref="CreateAsync"/>, then <c>CreateClient()</c>.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private TestApp(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        _settings = settings;
        _services = services;
    }

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>
    /// Waits for the work the app has detached from requests so far (replies after the acknowledgement, audit posts),
    /// and for the work that work started: a test that asserts nothing more was sent awaits this instead of sleeping.
    /// </summary>
    public async Task DetachedWorkSettledAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Services.GetRequiredService<DetachedWork>().WhenIdleAsync(deadline.Token);
    }

    /// <summary>
    /// One target, <c>test</c>, on the test server and a state store database of its own (unless given).
    /// Keys in <paramref name="settings"/> may omit the <c>PgChatOps:</c> prefix. No access rule exists unless given.
    /// </summary>
    public static async Task<TestApp> CreateAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        TimeProvider? time = null,
        string? stateDatabase = null,
        string? targetConnectionString = null)
    {
        stateDatabase ??= await TestDatabase.CreateDatabaseAsync("state");
        var all = new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:test:ConnectionString"] = targetConnectionString ?? await TestDatabase.ConnectionStringAsync(),
            ["PgChatOps:DefaultTarget"] = "test",
            ["PgChatOps:StateConnectionString"] = await TestDatabase.ConnectionStringAsync(stateDatabase),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k.StartsWith("PgChatOps:", StringComparison.Ordinal) || k.StartsWith("Logging:", StringComparison.Ordinal) ? k : "PgChatOps:" + k] = v;
        }
        var app = new TestApp(all, s =>
        {
            if (time is not null)
            {
                s.Replace(ServiceDescriptor.Singleton(time));
            }
            services?.Invoke(s);
        });
        // Start the host and wait for the state store, so tests begin from a ready app.
        _ = app.Server;
        await app.Services.GetRequiredService<StateStoreMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) =>
        {
            config.Sources.Clear();
            config.AddInMemoryCollection(_settings);
        });
        builder.ConfigureServices(s => _services?.Invoke(s));
    }
}
