using System.Text;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Local;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Issue #13 item 4: the local console trusts its operator unless a rule names the console platform.</summary>
public sealed class ConsoleTrustTests
{
    private static async Task<string[]> ArgsAsync(params string[] more)
    {
        var stateDb = await TestDatabase.CreateDatabaseAsync("state");
        return
        [
            $"--PgChatOps:Targets:test:ConnectionString={await TestDatabase.ConnectionStringAsync()}",
            $"--PgChatOps:StateConnectionString={await TestDatabase.ConnectionStringAsync(stateDb)}",
            "--PgChatOps:DefaultTarget=test",
            .. more,
        ];
    }

    [Fact]
    public async Task Item4_with_no_console_rule_the_console_lists_and_kills_on_a_configured_target_and_says_why()
    {
        await using var sessions = await TestSessions.CreateAsync("ct");
        var victim = await sessions.OpenIdleInTransactionAsync();
        var input = new ScriptedInput();
        var output = new StringWriter(new StringBuilder());
        var console = Task.Run(async () => ConsoleChat.RunAsync(await ArgsAsync(), input, TextWriter.Synchronized(output)));

        await input.WaitForPromptAsync(1);
        input.Type($"/pg sessions user={sessions.Role}");
        await input.WaitForPromptAsync(2);
        input.Type($"/pg kill {victim.Pid}");
        await input.WaitForPromptAsync(3);
        input.Type("yes");
        await input.WaitForPromptAsync(4);
        input.End();
        Assert.Equal(0, await (await console).WaitAsync(TimeSpan.FromSeconds(30)));

        var text = output.ToString();
        Assert.Contains($"No console rule in PgChatOps:Access:Rules: {Environment.UserName} may view, cancel and terminate on every configured target from this console.", text, StringComparison.Ordinal);
        Assert.Contains("1 session on test: 1 idle in transaction", text, StringComparison.Ordinal);
        Assert.Contains("Terminated 1 of 1 session on test", text, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Item4_a_console_rule_that_allows_only_view_cannot_kill_and_the_denial_names_the_setting()
    {
        await using var sessions = await TestSessions.CreateAsync("cv");
        var victim = await sessions.OpenAsync();
        var user = Environment.UserName;
        var args = await ArgsAsync(
            "--PgChatOps:Access:Rules:0:Platform=console",
            "--PgChatOps:Access:Rules:0:Channels:0=console",
            $"--PgChatOps:Access:Rules:0:Users:0={user}",
            "--PgChatOps:Access:Rules:0:Allow:0=view");
        var input = new ScriptedInput();
        var output = new StringWriter(new StringBuilder());
        var console = Task.Run(() => ConsoleChat.RunAsync(args, input, TextWriter.Synchronized(output)));

        await input.WaitForPromptAsync(1);
        input.Type($"/pg kill {victim.Pid}");
        await input.WaitForPromptAsync(2);
        input.End();
        Assert.Equal(0, await console.WaitAsync(TimeSpan.FromSeconds(30)));

        var text = output.ToString();
        Assert.DoesNotContain("No console rule", text, StringComparison.Ordinal);
        Assert.Contains("Not allowed: kill needs the 'terminate' permission on test in this channel", text, StringComparison.Ordinal);
        Assert.Contains($"A rule with Platform console grants it: PgChatOps:Access:Rules:<i>:Platform=console, :Channels=console, :Users={user}, :Allow=terminate", text, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
