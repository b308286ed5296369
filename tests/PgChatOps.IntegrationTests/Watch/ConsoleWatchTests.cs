using System.Text.RegularExpressions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Local;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>The console with watch rules: the alert is printed into the chat, and its buttons are typed.</summary>
public sealed partial class ConsoleWatchTests
{
    [Fact]
    public async Task The_console_prints_the_alert_and_typing_confirm_with_its_action_id_terminates_the_session_and_history_writes_a_png()
    {
        await using var sessions = await TestSessions.CreateAsync("wc");
        var user = Environment.UserName;
        var console = await ConsoleRun.StartAsync(
        [
            .. ConsoleRun.Rule("console", user, "view", "terminate"),
            "PgChatOps:Watch:Rules:0:Name=stuck",
            "PgChatOps:Watch:Rules:0:Target=test",
            "PgChatOps:Watch:Rules:0:Condition=idle-in-transaction",
            "PgChatOps:Watch:Rules:0:Threshold=1s",
            $"PgChatOps:Watch:Rules:0:Filter=app={sessions.App("stuck")}",
            "PgChatOps:Watch:Rules:0:Platform=console",
            "PgChatOps:Watch:Rules:0:Channel=console",
            "PgChatOps:Watch:Rules:0:Interval=00:00:00.2",
            $"{ConsoleChat.FileDirectoryKey}={Path.GetTempPath()}",
        ]);
        await console.Input.WaitForPromptAsync(1);

        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        var started = DateTime.UtcNow;
        Match confirm;
        while (!(confirm = ConfirmWord().Match(console.Text)).Success)
        {
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "no alert in the console: " + console.Text);
            await Task.Delay(50);
        }
        var shown = console.Text;
        Assert.Contains("── new alert (console console) ──", shown, StringComparison.Ordinal);
        Assert.Contains($"1 session idle in transaction on test", shown, StringComparison.Ordinal);
        Assert.Matches(@"snooze [0-9a-f-]{36}  \(Snooze 1h\)", shown);
        Assert.True(await TestSessions.IsAliveAsync(stuck), "nothing may happen before the confirmation");

        await console.TypeAtAsync(1, $"confirm {confirm.Groups[1].Value}");
        await console.Input.WaitForPromptAsync(2);
        Assert.Contains("Terminated 1 of 1 session on test", console.Text, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(stuck));

        await console.TypeAtAsync(2, "/pg history");
        await console.Input.WaitForPromptAsync(3);
        var path = Assert.Single(WrittenTo().Matches(console.Text)).Groups[1].Value.Trim();
        var png = await File.ReadAllBytesAsync(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        File.Delete(path);

        Assert.Equal(0, await console.EndAtAsync(3));
    }

    [GeneratedRegex(@"confirm ([0-9a-f-]{36})  \(Terminate\)")]
    private static partial Regex ConfirmWord();

    [GeneratedRegex(@"Wrote (\S+\.png) \(")]
    private static partial Regex WrittenTo();
}
