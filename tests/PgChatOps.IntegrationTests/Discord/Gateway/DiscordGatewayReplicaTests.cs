using System.Diagnostics;
using System.Text.RegularExpressions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Operations;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

/// <summary>Replicas of the real app, as processes, sharing one state store and one (fake) Discord in gateway mode.</summary>
public sealed partial class DiscordGatewayReplicaTests
{
    private const int Identify = 2;

    [Fact]
    public async Task Two_replicas_hold_one_gateway_session_and_a_killed_holder_is_replaced_within_15_seconds()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var target = await TestDatabase.ConnectionStringAsync();
        var stateConnection = await TestDatabase.ConnectionStringAsync(state);
        Dictionary<string, string> Env() => new()
        {
            ["PgChatOps__Targets__test__ConnectionString"] = target,
            ["PgChatOps__StateConnectionString"] = stateConnection,
            ["PgChatOps__Discord__Mode"] = "gateway",
            ["PgChatOps__Discord__ApiBaseUrl"] = fake.ApiBaseUrl.AbsoluteUri,
            ["PgChatOps__Discord__ApplicationId"] = FakeDiscordGateway.ApplicationId,
            ["PgChatOps__Discord__BotToken"] = FakeDiscordGateway.Token,
        };
        var urlA = $"http://127.0.0.1:{AppProcess.FreePort()}";
        var urlB = $"http://127.0.0.1:{AppProcess.FreePort()}";
        using var httpA = new HttpClient { BaseAddress = new Uri(urlA), Timeout = TimeSpan.FromSeconds(5) };
        using var httpB = new HttpClient { BaseAddress = new Uri(urlB), Timeout = TimeSpan.FromSeconds(5) };

        await using var a = AppProcess.Start(AppProcess.BuiltDll, ["serve", "--urls", urlA], Env());
        await WaitForAsync(httpA, "/readyz", "discord gateway: connected", a);
        await using var b = AppProcess.Start(AppProcess.BuiltDll, ["serve", "--urls", urlB], Env());
        var standby = await WaitForAsync(httpB, "/readyz", "discord gateway: standby (held by ", b);

        // Only the holder connected: one WebSocket, one Identify. The other serves health, readiness and metrics.
        Assert.Contains($"/{a.Pid}/", standby, StringComparison.Ordinal);
        Assert.StartsWith("ready\n", standby, StringComparison.Ordinal);
        Assert.Single(fake.Connections);
        Assert.Single(fake.Connection(1).Received, f => f.Op == Identify);
        Assert.Equal("ok\n", await httpB.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal("1", LeaseGauge().Match(await httpA.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Groups["v"].Value);
        Assert.Equal("0", LeaseGauge().Match(await httpB.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Groups["v"].Value);

        // The holder dies without a word: no close frame, no lease release. The other replica takes over.
        var killed = Stopwatch.StartNew();
        await a.KillAsync();
        var second = await fake.WaitForConnectionAsync(2, TimeSpan.FromSeconds(20));
        await second.WaitForOpAsync(Identify, TimeSpan.FromSeconds(20));
        var tookOver = killed.Elapsed;
        var connected = await WaitForAsync(httpB, "/readyz", "discord gateway: connected", b);

        Assert.True(tookOver < TimeSpan.FromSeconds(15), $"the other replica identified {tookOver} after the holder was killed");
        Assert.Contains("this replica holds the lease", connected, StringComparison.Ordinal);
        Assert.Equal(2, fake.Connections.Count);
        Assert.Equal("1", LeaseGauge().Match(await httpB.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Groups["v"].Value);
    }

    [GeneratedRegex(@"^pgchatops_discord_gateway_lease(\{[^}]*\})? (?<v>\d+)", RegexOptions.Multiline)]
    private static partial Regex LeaseGauge();

    /// <summary>Polls <paramref name="path"/> until it says ready and its body contains <paramref name="expected"/>; fails with the app's output.</summary>
    private static async Task<string> WaitForAsync(HttpClient http, string path, string expected, AppProcess app)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline && !app.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                last = await response.Content.ReadAsStringAsync();
                if (last.StartsWith("ready\n", StringComparison.Ordinal) && last.Contains(expected, StringComparison.Ordinal))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{path} never said '{expected}'. Last: {last}\nstdout:\n{app.Stdout}\nstderr:\n{app.Stderr}");
    }
}
