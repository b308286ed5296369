using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack.SocketMode;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary><c>check</c> says which Slack mode is set and, in Socket Mode, whether Slack accepts the app token.</summary>
public sealed class SlackModeCheckTests(ITestOutputHelper output)
{
    private async Task<(int Exit, string[] Lines)> CheckAsync(SlackOptions slack)
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var options = new PgChatOpsOptions
        {
            Targets = { ["test"] = new TargetOptions { ConnectionString = await TestDatabase.ConnectionStringAsync() } },
            DefaultTarget = "test",
            StateConnectionString = await TestDatabase.ConnectionStringAsync(state),
            Slack = slack,
        };
        using var writer = new StringWriter();
        using var http = new HttpClient();
        var exit = await new DeploymentCheck(options, writer, http).RunAsync(null, CancellationToken.None);
        output.WriteLine($"$ check   (exit {exit})\n{writer}");
        return (exit, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Check_reports_socket_mode_and_that_apps_connections_open_accepts_the_app_token()
    {
        await using var slack = await FakeSlackSocketMode.StartAsync();

        var (exit, lines) = await CheckAsync(new SlackOptions
        {
            Mode = "socket", AppToken = FakeSlackSocketMode.AppToken, BotToken = "xoxb-good", ApiBaseUrl = slack.ApiBaseUrl.ToString(),
        });

        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.StartsWith("ok   slack: mode socket", StringComparison.Ordinal));
        Assert.Contains("ok   slack: app token accepted by apps.connections.open (Socket Mode can connect)", lines);
        var call = Assert.Single(slack.OpenCalls);
        Assert.Equal("Bearer " + FakeSlackSocketMode.AppToken, call.Authorization);
        // The URL Slack handed out is not used: check opens no socket.
        Assert.Empty(slack.Sockets);
    }

    [Fact]
    public async Task Check_fails_when_apps_connections_open_refuses_the_app_token()
    {
        await using var slack = await FakeSlackSocketMode.StartAsync();

        var (exit, lines) = await CheckAsync(new SlackOptions
        {
            Mode = "socket", AppToken = "xapp-1-revoked", BotToken = "xoxb-good", ApiBaseUrl = slack.ApiBaseUrl.ToString(),
        });

        Assert.Equal(1, exit);
        Assert.Contains(lines, l => l.StartsWith("FAIL slack: apps.connections.open refused the app token: invalid_auth (PgChatOps:Slack:AppToken", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("xapp-1-revoked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_reports_http_mode_and_does_not_ask_for_a_socket()
    {
        await using var slack = await FakeSlackSocketMode.StartAsync();

        var (exit, lines) = await CheckAsync(new SlackOptions { SigningSecret = "s", BotToken = "xoxb-good", ApiBaseUrl = slack.ApiBaseUrl.ToString() });

        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.StartsWith("ok   slack: mode http", StringComparison.Ordinal));
        Assert.Empty(slack.OpenCalls);
    }
}
