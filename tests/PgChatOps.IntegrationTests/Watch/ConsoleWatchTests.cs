using System.Text;
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
        string[] args =
        [
            $"--PgChatOps:Targets:test:ConnectionString={await TestDatabase.ConnectionStringAsync()}",
            $"--PgChatOps:StateConnectionString={await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"))}",
            "--PgChatOps:DefaultTarget=test",
            "--PgChatOps:Access:Rules:0:Platform=console",
            "--PgChatOps:Access:Rules:0:Channels:0=console",
            $"--PgChatOps:Access:Rules:0:Users:0={user}",
            "--PgChatOps:Access:Rules:0:Allow:0=view",
            "--PgChatOps:Access:Rules:0:Allow:1=terminate",
            "--PgChatOps:Watch:Rules:0:Name=stuck",
            "--PgChatOps:Watch:Rules:0:Target=test",
            "--PgChatOps:Watch:Rules:0:Condition=idle-in-transaction",
            "--PgChatOps:Watch:Rules:0:Threshold=1s",
            $"--PgChatOps:Watch:Rules:0:Filter=app={sessions.App("stuck")}",
            "--PgChatOps:Watch:Rules:0:Platform=console",
            "--PgChatOps:Watch:Rules:0:Channel=console",
            "--PgChatOps:Watch:Rules:0:Interval=00:00:00.2",
            $"--{ConsoleChat.FileDirectoryKey}={Path.GetTempPath()}",
        ];
        var input = new ScriptedInput();
        var text = new StringBuilder();
        var output = TextWriter.Synchronized(new StringWriter(text));
        var console = Task.Run(() => ConsoleChat.RunAsync(args, input, output));
        await input.WaitForPromptAsync(1);

        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        var started = DateTime.UtcNow;
        Match confirm;
        while (!(confirm = ConfirmWord().Match(Read(output, text))).Success)
        {
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "no alert in the console: " + Read(output, text));
            await Task.Delay(50);
        }
        var shown = Read(output, text);
        Assert.Contains("── new alert (console console) ──", shown, StringComparison.Ordinal);
        Assert.Contains($"1 session idle in transaction on test", shown, StringComparison.Ordinal);
        Assert.Matches(@"snooze [0-9a-f-]{36}  \(Snooze 1h\)", shown);
        Assert.True(await TestSessions.IsAliveAsync(stuck), "nothing may happen before the confirmation");

        input.Type($"confirm {confirm.Groups[1].Value}");
        await input.WaitForPromptAsync(2);
        Assert.Contains("Terminated 1 of 1 session on test", Read(output, text), StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(stuck));

        input.Type("/pg history");
        await input.WaitForPromptAsync(3);
        var path = Assert.Single(WrittenTo().Matches(Read(output, text))).Groups[1].Value.Trim();
        var png = await File.ReadAllBytesAsync(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        File.Delete(path);

        input.End();
        Assert.Equal(0, await console.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static string Read(TextWriter output, StringBuilder text)
    {
        lock (output)
        {
            return text.ToString();
        }
    }

    [GeneratedRegex(@"confirm ([0-9a-f-]{36})  \(Terminate\)")]
    private static partial Regex ConfirmWord();

    [GeneratedRegex(@"Wrote (\S+\.png) \(")]
    private static partial Regex WrittenTo();
}
