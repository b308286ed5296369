using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Issue #13 item 4: the local console trusts its operator unless a rule names the console platform.</summary>
public sealed class ConsoleTrustTests
{
    [Fact]
    public async Task Item4_with_no_console_rule_the_console_lists_and_kills_on_a_configured_target_and_says_why()
    {
        await using var sessions = await TestSessions.CreateAsync("ct");
        var victim = await sessions.OpenIdleInTransactionAsync();
        var console = await ConsoleRun.StartAsync();

        await console.TypeAtAsync(1, $"/pg sessions user={sessions.Role}");
        await console.TypeAtAsync(2, $"/pg kill {victim.Pid}");
        await console.TypeAtAsync(3, "yes");
        Assert.Equal(0, await console.EndAtAsync(4));

        var text = console.Text;
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
        var console = await ConsoleRun.StartAsync(ConsoleRun.Rule("console", user, "view"));

        await console.TypeAtAsync(1, $"/pg kill {victim.Pid}");
        Assert.Equal(0, await console.EndAtAsync(2));

        var text = console.Text;
        Assert.DoesNotContain("No console rule", text, StringComparison.Ordinal);
        Assert.Contains("Not allowed: kill needs the 'terminate' permission on test in this channel", text, StringComparison.Ordinal);
        Assert.Contains($"A rule with Platform console grants it: PgChatOps:Access:Rules:<i>:Platform=console, :Channels=console, :Users={user}, :Allow=terminate", text, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
