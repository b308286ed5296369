using System.Text;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Local;

namespace PgChatOps.IntegrationTests.Safety;

/// <summary>Issue #10 item 5: what a database session says about itself cannot drive the operator's terminal.</summary>
public sealed class ConsoleEscapeTests
{
    private const string Esc = "\u001B";
    private const string Bel = "\u0007";

    [Fact]
    public async Task Item5_a_session_whose_query_holds_ESC_2J_and_BEL_shows_them_visibly_in_the_console()
    {
        await using var sessions = await TestSessions.CreateAsync("ce");
        var hostile = await sessions.OpenAsync();
        // application_name cannot carry them (PostgreSQL turns non-printable ASCII into '?'); query text and
        // identifiers can, and both are shown by the console.
        hostile.RunInBackground($"SELECT pg_sleep(600) AS \"{Esc}]0;owned{Bel}\" /* {Esc}[2J{Bel} */");
        await TestSessions.WaitForStateAsync(hostile.Pid, "active");

        var stateDb = await TestDatabase.CreateDatabaseAsync("state");
        string[] args =
        [
            $"--PgChatOps:Targets:test:ConnectionString={await TestDatabase.ConnectionStringAsync()}",
            $"--PgChatOps:StateConnectionString={await TestDatabase.ConnectionStringAsync(stateDb)}",
            "--PgChatOps:DefaultTarget=test",
            "--PgChatOps:Access:Rules:0:Platform=console",
            "--PgChatOps:Access:Rules:0:Channels:0=console",
            "--PgChatOps:Access:Rules:0:Allow:0=view",
        ];
        var input = new ScriptedInput();
        var output = new StringWriter(new StringBuilder());
        var console = Task.Run(() => ConsoleChat.RunAsync(args, input, TextWriter.Synchronized(output)));

        await input.WaitForPromptAsync(1);
        input.Type($"/pg show {hostile.Pid}");
        await input.WaitForPromptAsync(2);
        input.Type($"/pg sessions app={hostile.Application}");
        await input.WaitForPromptAsync(3);
        input.End();
        Assert.Equal(0, await console.WaitAsync(TimeSpan.FromSeconds(30)));

        var text = output.ToString();
        Assert.Contains($"Session {hostile.Pid} on test", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Esc, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Bel, text, StringComparison.Ordinal);
        // The whole query in /pg show, and the cut one in the table, both say what is really there.
        Assert.Contains(@"AS ""\x1B]0;owned\x07"" /* \x1B[2J\x07 */", text, StringComparison.Ordinal);
        Assert.Contains(@"SELECT pg_sleep(600) AS ""\x1B]0;owned\x07""", text.Split("sessions app=")[^1], StringComparison.Ordinal);
    }
}
