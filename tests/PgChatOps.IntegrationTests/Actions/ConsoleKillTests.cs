using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Actions;

public sealed class ConsoleKillTests
{
    [Fact]
    public async Task A_console_kill_ends_a_real_backend_only_after_yes()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenIdleInTransactionAsync();
        var user = Environment.UserName;
        var console = await ConsoleRun.StartAsync(ConsoleRun.Rule("console", user, "view", "terminate"));

        await console.TypeAtAsync(1, $"/pg kill {victim.Pid}");
        await console.Input.WaitForPromptAsync(2);

        Assert.Contains("Terminate 1 session on test?", console.Text, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim), "nothing may happen before the confirmation");

        console.Input.Type("yes");
        await console.Input.WaitForPromptAsync(3);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        Assert.Contains("Terminated 1 of 1 session on test", console.Text, StringComparison.Ordinal);

        await console.TypeAtAsync(3, "audit");
        Assert.Equal(0, await console.EndAtAsync(4));
        Assert.Contains($"terminate  test    {user}", console.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anything_but_yes_aborts_a_console_kill()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var console = await ConsoleRun.StartAsync(ConsoleRun.Rule("*", null, "terminate"), defaultTarget: false);

        await console.TypeAtAsync(1, $"kill {victim.Pid}");
        await console.TypeAtAsync(2, "y");
        await console.TypeAtAsync(3, "exit");

        Assert.Equal(0, await console.ExitAsync());
        Assert.Contains("Aborted by", console.Text, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
