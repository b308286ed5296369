using System.Text;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Local;

namespace PgChatOps.IntegrationTests.Actions;

public sealed class ConsoleKillTests
{
    [Fact]
    public async Task A_console_kill_ends_a_real_backend_only_after_yes()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenIdleInTransactionAsync();
        var stateDb = await TestDatabase.CreateDatabaseAsync("state");
        var user = Environment.UserName;
        string[] args =
        [
            $"--PgChatOps:Targets:test:ConnectionString={await TestDatabase.ConnectionStringAsync()}",
            $"--PgChatOps:StateConnectionString={await TestDatabase.ConnectionStringAsync(stateDb)}",
            "--PgChatOps:DefaultTarget=test",
            "--PgChatOps:Access:Rules:0:Platform=console",
            "--PgChatOps:Access:Rules:0:Channels:0=console",
            $"--PgChatOps:Access:Rules:0:Users:0={user}",
            "--PgChatOps:Access:Rules:0:Allow:0=view",
            "--PgChatOps:Access:Rules:0:Allow:1=terminate",
        ];
        var input = new ScriptedInput();
        var output = new StringWriter(new StringBuilder());
        var console = Task.Run(() => ConsoleChat.RunAsync(args, input, TextWriter.Synchronized(output)));

        await input.WaitForPromptAsync(1);
        input.Type($"/pg kill {victim.Pid}");
        await input.WaitForPromptAsync(2);

        Assert.Contains("Terminate 1 session on test?", output.ToString(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim), "nothing may happen before the confirmation");

        input.Type("yes");
        await input.WaitForPromptAsync(3);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        Assert.Contains("Terminated 1 of 1 session on test", output.ToString(), StringComparison.Ordinal);

        input.Type("audit");
        await input.WaitForPromptAsync(4);
        input.End();
        Assert.Equal(0, await console.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"terminate  test    {user}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anything_but_yes_aborts_a_console_kill()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var stateDb = await TestDatabase.CreateDatabaseAsync("state");
        string[] args =
        [
            $"--PgChatOps:Targets:test:ConnectionString={await TestDatabase.ConnectionStringAsync()}",
            $"--PgChatOps:StateConnectionString={await TestDatabase.ConnectionStringAsync(stateDb)}",
            "--PgChatOps:Access:Rules:0:Platform=console",
            "--PgChatOps:Access:Rules:0:Channels:0=*",
            "--PgChatOps:Access:Rules:0:Allow:0=terminate",
        ];
        var input = new ScriptedInput();
        var output = new StringWriter(new StringBuilder());
        var console = Task.Run(() => ConsoleChat.RunAsync(args, input, TextWriter.Synchronized(output)));

        await input.WaitForPromptAsync(1);
        input.Type($"kill {victim.Pid}");
        await input.WaitForPromptAsync(2);
        input.Type("y");
        await input.WaitForPromptAsync(3);
        input.Type("exit");

        Assert.Equal(0, await console.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Aborted by", output.ToString(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
