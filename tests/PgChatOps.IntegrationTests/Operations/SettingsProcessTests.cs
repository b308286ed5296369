namespace PgChatOps.IntegrationTests.Operations;

/// <summary>The real binary with broken settings: it must stop, non-zero, with one clear line per problem.</summary>
public sealed class SettingsProcessTests
{
    [Fact]
    public async Task Serve_with_broken_settings_exits_non_zero_with_one_line_per_problem_and_no_stack_trace()
    {
        var app = await AppProcess.RunAsync(AppProcess.BuiltDll, ["serve", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = "Host=127.0.0.1;Port=1;Password=hunter2",
            ["PgChatOps__Slack__BotToken"] = "xoxb-test",
            ["PgChatOps__Access__Rules__0__Channels__0"] = "*",
            ["PgChatOps__Access__Rules__0__Targets__0"] = "prd",
            ["PgChatOps__Access__Rules__0__Allow__0"] = "view",
        });

        Assert.NotEqual(0, app.ExitCode);
        var lines = app.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                "Invalid settings: PgChatOps:Access:Rules:0:Targets names unknown target 'prd' (configured: prod)",
                "Invalid settings: PgChatOps:Slack:SigningSecret is empty, but Slack is enabled (a Slack bot token, app token or audit channel is set): requests could not be verified",
            ],
            lines);
        Assert.DoesNotContain("   at ", app.Stdout + app.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", app.Stdout + app.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_and_console_with_an_unparsable_ttl_no_target_or_an_unknown_default_say_so_in_one_line_each()
    {
        var ttl = AppProcess.RunAsync(AppProcess.BuiltDll, ["serve", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = "Host=127.0.0.1;Port=1",
            ["PgChatOps__Confirmation__TimeToLive"] = "5 minutes",
        });
        var none = AppProcess.RunAsync(AppProcess.BuiltDll, ["serve", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string>());
        var console = AppProcess.RunAsync(AppProcess.BuiltDll, ["console"], new Dictionary<string, string>
        {
            ["PgChatOps__Targets__prod__ConnectionString"] = "Host=127.0.0.1;Port=1",
            ["PgChatOps__DefaultTarget"] = "prd",
        });

        Assert.NotEqual(0, (await ttl).ExitCode);
        Assert.Equal("Invalid settings: PgChatOps:Confirmation:TimeToLive is not a duration: write hh:mm:ss, e.g. 00:05:00", (await ttl).Stderr.Trim());
        Assert.NotEqual(0, (await none).ExitCode);
        Assert.StartsWith("Invalid settings: PgChatOps:Targets has no target", (await none).Stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', (await none).Stderr.Trim());
        Assert.NotEqual(0, (await console).ExitCode);
        Assert.Equal("Invalid settings: PgChatOps:DefaultTarget 'prd' is not a configured target (configured: prod)", (await console).Stderr.Trim());
        Assert.Equal("", (await console).Stdout.Trim());
    }
}
