using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Operations;

public sealed class LoggingTests
{
    [Fact]
    public async Task No_secret_and_no_query_text_above_debug_reaches_the_logs_during_a_kill_a_failed_target_and_probes()
    {
        const string targetPassword = "pw-target-7f3a91";
        const string brokenPassword = "pw-broken-91c2e4";
        const string statePassword = "pw-state-1d2c55";
        const string slackSecret = "slack-signing-3e8d0b";
        const string slackBot = "xoxb-slack-bot-55aa11";
        const string discordBot = "discord-bot-77bb22";
        string[] secrets = [targetPassword, brokenPassword, statePassword, slackSecret, slackBot, discordBot];

        await using var api = await FakeHttpServer.StartAsync();
        await using var sessions = await TestSessions.CreateAsync("logs");
        var marker = $"secret_query_marker_{Guid.NewGuid():N}";
        var victim = await sessions.OpenAsync();
        await victim.ExecuteAsync($"SELECT 1 AS {marker}");

        var state = await TestDatabase.CreateDatabaseAsync("state");
        var logs = new CapturedLogs();
        await using var app = await TestApp.CreateAsync(
            new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["StateConnectionString"] = await TestDatabase.ConnectionStringAsync(state) + $";Password={statePassword}",
                ["Targets:broken:ConnectionString"] = $"Host=127.0.0.1;Port=1;Username=postgres;Password={brokenPassword}",
                ["Slack:SigningSecret"] = slackSecret,
                ["Slack:BotToken"] = slackBot,
                ["Slack:ApiBaseUrl"] = api.BaseUrl,
                ["Discord:ApplicationId"] = "123456789012345678",
                ["Discord:PublicKey"] = new string('a', 64),
                ["Discord:BotToken"] = discordBot,
                ["Discord:ApiBaseUrl"] = api.BaseUrl,
                ["Access:Rules:0:Platform"] = "console",
                ["Access:Rules:0:Channels:0"] = "*",
                ["Access:Rules:0:Allow:0"] = "view",
                ["Access:Rules:0:Allow:1"] = "terminate",
            },
            services: s => s.AddSingleton<ILoggerProvider>(logs),
            stateDatabase: state,
            targetConnectionString: await TestDatabase.ConnectionStringAsync() + $";Password={targetPassword}");
        var pipeline = app.Services.GetRequiredService<CommandPipeline>();
        using var client = app.CreateClient();

        var listed = await pipeline.HandleAsync(CoreHost.Request($"sessions user={sessions.Role}"), CancellationToken.None);
        var shown = await pipeline.HandleAsync(CoreHost.Request($"show {victim.Pid}"), CancellationToken.None);
        var preview = await pipeline.HandleAsync(CoreHost.Request($"kill {victim.Pid}"), CancellationToken.None);
        var outcome = await pipeline.HandleClickAsync(
            new ButtonClick(Platform.Console, "ws", "ops", CoreHost.User("alice"), preview.ActionId!.Value, ButtonRole.Confirm), CancellationToken.None);
        var failed = await pipeline.HandleAsync(CoreHost.Request("sessions target=broken"), CancellationToken.None);
        var ready = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
        await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        // The flow really ran: the query text was on screen, the kill happened, the broken target failed.
        Assert.Contains(marker, TextRenderer.Render(shown), StringComparison.Ordinal);
        Assert.Equal(ReplyKind.Info, listed.Kind);
        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(ReplyKind.Error, failed.Kind);
        Assert.Contains("target broken: unreachable", ready, StringComparison.Ordinal);
        Assert.Contains(logs.Events, e => e.Level >= LogLevel.Warning && e.Text.Contains("broken", StringComparison.Ordinal));

        Assert.NotEmpty(logs.Events);
        foreach (var (level, category, text) in logs.Events)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{level} {category} logged a secret: {text}");
            }
            if (level > LogLevel.Debug)
            {
                Assert.False(text.Contains(marker, StringComparison.Ordinal), $"{level} {category} logged query text: {text}");
            }
        }
    }
}
