using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Audit;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>
/// The real core plus the watch, with settings in memory only and alerts going to a <see cref="RecordingAlertSink"/>.
/// Started, it runs the watch loop like a replica; not started (<c>run: false</c>), a test drives the engine itself.
/// </summary>
public sealed class WatchHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly bool _started;
    private int _stopped;

    private WatchHost(IHost host, bool started) => (_host, _started) = (host, started);

    public IServiceProvider Services => _host.Services;
    public WatchEngine Engine => Services.GetRequiredService<WatchEngine>();
    public WatchDesk Desk => Services.GetRequiredService<WatchDesk>();
    public CommandPipeline Pipeline => Services.GetRequiredService<CommandPipeline>();

    /// <param name="targets">Target name → connection string.</param>
    /// <param name="rules">Each rule's keys under <c>Watch:Rules:&lt;i&gt;</c>.</param>
    /// <param name="watch">More keys under <c>Watch:</c> (LeaseTimeToLive, SampleTimeout, …).</param>
    public static async Task<WatchHost> StartAsync(
        IReadOnlyDictionary<string, string> targets,
        string stateConnectionString,
        IReadOnlyList<IReadOnlyDictionary<string, string>> rules,
        IAlertSink sink,
        IReadOnlyDictionary<string, string>? watch = null,
        bool run = true,
        TimeProvider? time = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["PgChatOps:DefaultTarget"] = targets.Keys.First(),
            ["PgChatOps:StateConnectionString"] = stateConnectionString,
        };
        foreach (var (name, cs) in targets)
        {
            all[$"PgChatOps:Targets:{name}:ConnectionString"] = cs;
        }
        for (var i = 0; i < rules.Count; i++)
        {
            foreach (var (k, v) in rules[i])
            {
                all[$"PgChatOps:Watch:Rules:{i}:{k}"] = v;
            }
        }
        foreach (var (k, v) in watch ?? new Dictionary<string, string>())
        {
            all[$"PgChatOps:Watch:{k}"] = v;
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            all[$"PgChatOps:{k}"] = v;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.AddPgChatOps();
        builder.Services.AddSingleton(sink);
        builder.AddPgChatOpsWatch();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        if (time is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(time));
        }
        var host = builder.Build();
        if (run)
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<StateStoreMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        }
        else
        {
            await host.Services.GetRequiredService<StateStore>().MigrateAsync(CancellationToken.None);
        }
        return new WatchHost(host, run);
    }

    /// <summary>A rule's keys, as an operator writes them.</summary>
    public static IReadOnlyDictionary<string, string> Rule(
        string name, string condition, string threshold, string? filter = null, string target = "*", string interval = "00:00:00.2",
        string platform = "slack", string channel = "C-ALERTS") =>
        new Dictionary<string, string>
        {
            ["Name"] = name,
            ["Target"] = target,
            ["Condition"] = condition,
            ["Threshold"] = threshold,
            ["Filter"] = filter ?? "",
            ["Platform"] = platform,
            ["Channel"] = channel,
            ["Interval"] = interval,
        };

    /// <summary>Stops the replica as a deployment would (the lease is given up).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0 && _started)
        {
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
