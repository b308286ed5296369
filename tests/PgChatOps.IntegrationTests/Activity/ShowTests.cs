using System.Globalization;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Activity;

public sealed class ShowTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    [Fact]
    public async Task Show_gives_a_sessions_fields_and_its_whole_query_text()
    {
        await using var mine = await TestSessions.CreateAsync();
        var session = await mine.OpenAsync(mine.App("show"));
        var query = $"SELECT pg_sleep(600) /* {string.Concat(Enumerable.Repeat("a long comment that goes on ", 30))}end */";
        session.RunInBackground(query);
        await TestSessions.WaitForStateAsync(session.Pid, "active", "Timeout");

        var reply = await fixture.Core.SendAsync($"show {session.Pid}");

        Assert.Equal(ReplyKind.Info, reply.Kind);
        Assert.Equal($"Session {session.Pid} on test", reply.Title);
        var fields = reply.Fields.ToDictionary(f => f.Name, f => f.Value);
        Assert.Equal(session.Pid.ToString(CultureInfo.InvariantCulture), fields["pid"]);
        Assert.Equal("client backend", fields["backend type"]);
        Assert.Equal(mine.Role, fields["user"]);
        Assert.Equal("postgres", fields["database"]);
        Assert.Equal(mine.App("show"), fields["application"]);
        Assert.StartsWith("127.0.0.1", fields["client"], StringComparison.Ordinal);
        Assert.Matches(@"^active for (under a second|\d+ seconds?)$", fields["state"]);
        Assert.StartsWith("Timeout: PgSleep", fields["wait"], StringComparison.Ordinal);
        Assert.Equal("nobody", fields["blocked by"]);
        Assert.Equal("no", fields["protected"]);
        Assert.True(query.Length > 800);
        Assert.Equal("query:\n" + query, Assert.Single(reply.Notes));
        Assert.Contains(query, TextRenderer.Render(reply), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_an_idle_transaction_says_how_long_it_is_open()
    {
        await using var mine = await TestSessions.CreateAsync();
        var session = await mine.OpenIdleInTransactionAsync();

        var reply = await fixture.Core.SendAsync($"show pid={session.Pid}");

        var fields = reply.Fields.ToDictionary(f => f.Name, f => f.Value);
        Assert.Matches(@"^idle in transaction for ", fields["state"]);
        Assert.Matches(@"^open for (under a second|\d+ seconds?) \(since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$", ReplyTime.Plain(fields["transaction"]));
        // Npgsql sends the two statements separately: the last one is the query pg_stat_activity shows.
        Assert.Equal("query:\nSELECT 1", Assert.Single(reply.Notes));
    }

    [Fact]
    public async Task Show_of_a_pid_that_does_not_exist_says_so_plainly()
    {
        var reply = await fixture.Core.SendAsync("show 2147483647");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal(Visibility.Requester, reply.Visibility);
        Assert.Equal("No session with pid 2147483647 on test.", reply.Title);
        Assert.Equal("✖ No session with pid 2147483647 on test.", TextRenderer.Render(reply).Split(Environment.NewLine)[0]);
    }

    [Theory]
    [InlineData("show 0", "'0' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg show 12345`.")]
    [InlineData("show -5", "'-5' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg show 12345`.")]
    [InlineData("show 12abc", "'12abc' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg show 12345`.")]
    [InlineData("sessions usr=x", "Unknown filter 'usr' in 'usr=x'. Did you mean user? sessions takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, limit=, sort=.")]
    public async Task Bad_input_through_the_pipeline_is_an_error_for_the_requester_only(string text, string expected)
    {
        var reply = await fixture.Core.SendAsync(text);

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Equal(Visibility.Requester, reply.Visibility);
        Assert.Equal(expected, reply.Title);
    }
}
