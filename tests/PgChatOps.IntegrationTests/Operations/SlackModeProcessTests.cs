namespace PgChatOps.IntegrationTests.Operations;

/// <summary>The real binary with a Slack mode that cannot work: it stops at start-up with one line per mistake.</summary>
public sealed class SlackModeProcessTests
{
    [Fact]
    public async Task Serve_in_socket_mode_without_an_app_token_or_with_an_unknown_mode_stops_with_one_line_each()
    {
        var noAppToken = AppProcess.RunAsync(AppProcess.BuiltDll, ["serve", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = "Host=127.0.0.1;Port=1",
            ["PgChatOps__Slack__Mode"] = "socket",
            ["PgChatOps__Slack__BotToken"] = "xoxb-test",
        });
        var unknown = AppProcess.RunAsync(AppProcess.BuiltDll, ["serve", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = "Host=127.0.0.1;Port=1",
            ["PgChatOps__Slack__Mode"] = "sockets",
            ["PgChatOps__Slack__AppToken"] = "xapp-1-secret-value",
            ["PgChatOps__Slack__BotToken"] = "xoxb-test",
        });

        Assert.NotEqual(0, (await noAppToken).ExitCode);
        Assert.Equal(
            "Invalid settings: PgChatOps:Slack:AppToken is empty, but PgChatOps:Slack:Mode is socket: Socket Mode connects with an app-level token (xapp-…, scope connections:write)",
            (await noAppToken).Stderr.Trim());
        Assert.NotEqual(0, (await unknown).ExitCode);
        Assert.Equal(
            "Invalid settings: PgChatOps:Slack:Mode is 'sockets': use http (the signed HTTP endpoints) or socket (Socket Mode)",
            (await unknown).Stderr.Trim());
        Assert.DoesNotContain("secret-value", (await unknown).Stdout + (await unknown).Stderr, StringComparison.Ordinal);
    }
}
