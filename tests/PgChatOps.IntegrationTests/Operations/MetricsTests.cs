using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Operations;

[Collection(PrometheusScrapes.Name)]
public sealed partial class MetricsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_count_commands_actions_latency_and_database_errors_in_prometheus_text()
    {
        await using var sessions = await TestSessions.CreateAsync("metrics");
        var victim = await sessions.OpenAsync();
        var down = TestDatabase.Unique("down");
        await using var app = await TestApp.CreateAsync(new Dictionary<string, string?>
        {
            [$"Targets:{down}:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=postgres",
            ["Access:Rules:0:Platform"] = "console",
            ["Access:Rules:0:Channels:0"] = "*",
            ["Access:Rules:0:Users:0"] = "alice",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        });
        var pipeline = app.Services.GetRequiredService<CommandPipeline>();
        using var client = app.CreateClient();
        var before = Parse(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        await pipeline.HandleAsync(CoreHost.Request($"sessions user={sessions.Role}"), CancellationToken.None);
        await pipeline.HandleAsync(CoreHost.Request($"sessions user={sessions.Role}"), CancellationToken.None);
        await pipeline.HandleAsync(CoreHost.Request("sessions", user: "mallory"), CancellationToken.None);
        await pipeline.HandleAsync(CoreHost.Request($"sessions target={down}"), CancellationToken.None);
        var preview = await pipeline.HandleAsync(CoreHost.Request($"kill {victim.Pid}"), CancellationToken.None);
        await pipeline.HandleClickAsync(new ButtonClick(Platform.Console, "ws", "ops", CoreHost.User("alice"), preview.ActionId!.Value, ButtonRole.Confirm), CancellationToken.None);
        // The exporter serves a cached scrape for a while: scrape until this test's own target shows its error.
        HttpResponseMessage response;
        string text;
        List<Sample> after;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
            text = await response.Content.ReadAsStringAsync();
            after = Parse(text);
            if (Delta(before, after, "pgchatops_database_errors_total", ("target", down)) >= 1 || DateTime.UtcNow > deadline)
            {
                break;
            }
            response.Dispose();
            await Task.Delay(100);
        }
        output.WriteLine(text);

        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE pgchatops_commands_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE pgchatops_command_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.True(Delta(before, after, "pgchatops_commands_total", ("platform", "console"), ("verb", "sessions"), ("outcome", "ok")) >= 2, text);
        Assert.True(Delta(before, after, "pgchatops_commands_total", ("platform", "console"), ("verb", "sessions"), ("outcome", "denied")) >= 1, text);
        Assert.True(Delta(before, after, "pgchatops_commands_total", ("platform", "console"), ("verb", "kill"), ("outcome", "confirmation")) >= 1, text);
        Assert.True(Delta(before, after, "pgchatops_command_duration_seconds_count", ("platform", "console"), ("verb", "sessions")) >= 4, text);
        Assert.True(Delta(before, after, "pgchatops_command_duration_seconds_bucket", ("platform", "console"), ("verb", "sessions"), ("le", "+Inf")) >= 4, text);
        Assert.True(Delta(before, after, "pgchatops_actions_total", ("kind", "terminate"), ("result", "terminated")) >= 1, text);
        // The target name is this test's own, so its error count is exact.
        Assert.Equal(1, Delta(before, after, "pgchatops_database_errors_total", ("target", down)));
    }

    private static double Delta(List<Sample> before, List<Sample> after, string name, params (string Key, string Value)[] labels) =>
        Sum(after, name, labels) - Sum(before, name, labels);

    private static double Sum(List<Sample> samples, string name, (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static List<Sample> Parse(string text) =>
        text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => SampleLine().Match(l))
            .Where(m => m.Success)
            .Select(m => new Sample(
                m.Groups["name"].Value,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups["k"].Value, p => p.Groups["v"].Value),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>[^""]*)""")]
    private static partial Regex LabelPair();
}
