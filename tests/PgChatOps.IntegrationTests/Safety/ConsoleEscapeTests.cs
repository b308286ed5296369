using PgChatOps.IntegrationTests.Infrastructure;

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

        var console = await ConsoleRun.StartAsync(ConsoleRun.Rule("console", null, "view"));

        await console.TypeAtAsync(1, $"/pg show {hostile.Pid}");
        await console.TypeAtAsync(2, $"/pg sessions app={hostile.Application}");
        Assert.Equal(0, await console.EndAtAsync(3));

        var text = console.Text;
        Assert.Contains($"Session {hostile.Pid} on test", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Esc, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Bel, text, StringComparison.Ordinal);
        // The whole query in /pg show, and the cut one in the table, both say what is really there.
        Assert.Contains(@"AS ""\x1B]0;owned\x07"" /* \x1B[2J\x07 */", text, StringComparison.Ordinal);
        Assert.Contains(@"SELECT pg_sleep(600) AS ""\x1B]0;owned\x07""", text.Split("sessions app=")[^1], StringComparison.Ordinal);
    }
}
