using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Hosting;

namespace PgChatOps.Benchmarks;

/// <summary>The real core, with settings in memory only and a view rule for the console, started and migrated.</summary>
internal static class BenchHost
{
    public static async Task<IHost> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddPgChatOps();
        builder.Configuration.Sources.Clear();
        var all = new Dictionary<string, string?>(settings)
        {
            ["PgChatOps:Access:Rules:0:Platform"] = "console",
            ["PgChatOps:Access:Rules:0:Channels:0"] = "*",
            ["PgChatOps:Access:Rules:0:Allow:0"] = "view",
        };
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<StateStoreMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        return host;
    }
}
