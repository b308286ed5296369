using Npgsql;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using static PgChatOps.IntegrationTests.Activity.ReplyRows;

namespace PgChatOps.IntegrationTests.Activity;

/// <summary>Every filter of <c>/pg sessions</c>, against real backends owned by each test.</summary>
public sealed class FilterTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private CoreHost Core => fixture.Core;

    private async Task<List<int>> PidsFor(string command)
    {
        var reply = await Core.SendAsync(command);
        Assert.True(reply.Kind == ReplyKind.Info, $"{command}: {reply.Title} {string.Join(" ", reply.Notes)}");
        return Pids(reply);
    }

    [Fact]
    public async Task User_filter_shows_only_that_roles_sessions()
    {
        await using var mine = await TestSessions.CreateAsync();
        await using var theirs = await TestSessions.CreateAsync();
        var a = await mine.OpenAsync();
        var b = await mine.OpenAsync();
        await theirs.OpenAsync();

        Assert.Equal([a.Pid, b.Pid], (await PidsFor($"sessions user={mine.Role}")).Order());
    }

    [Fact]
    public async Task User_glob_matches_every_role_with_that_prefix()
    {
        await using var mine = await TestSessions.CreateAsync("gl");
        var a = await mine.OpenAsync();
        var b = await mine.OpenAsync();

        Assert.Equal([a.Pid, b.Pid], (await PidsFor($"sessions user={mine.Role[..^3]}*")).Order());
        Assert.Equal([a.Pid, b.Pid], (await PidsFor($"sessions user=*{mine.Role[3..]}")).Order());
        Assert.Equal([a.Pid, b.Pid], (await PidsFor($"sessions user={mine.Role.ToUpperInvariant()}")).Order());
    }

    [Fact]
    public async Task Db_filter_shows_only_sessions_in_that_database()
    {
        var db = await TestDatabase.CreateDatabaseAsync("fdb");
        await using var mine = await TestSessions.CreateAsync();
        var there = await mine.OpenAsync(database: db);
        await mine.OpenAsync();

        Assert.Equal([there.Pid], await PidsFor($"sessions db={db}"));
        Assert.Equal([there.Pid], await PidsFor($"sessions user={mine.Role} db={db[..^2]}*"));
    }

    [Fact]
    public async Task App_filter_shows_only_that_application()
    {
        await using var mine = await TestSessions.CreateAsync();
        var one = await mine.OpenAsync(mine.App("one"));
        var two = await mine.OpenAsync(mine.App("two"));

        Assert.Equal([one.Pid], await PidsFor($"sessions app={mine.App("one")}"));
        Assert.Equal([two.Pid], await PidsFor($"sessions app={mine.App("tw")}*"));
        Assert.Equal([one.Pid, two.Pid], (await PidsFor($"sessions app={mine.Role}_*")).Order());
    }

    [Fact]
    public async Task Underscore_and_percent_in_a_name_match_only_themselves()
    {
        await using var mine = await TestSessions.CreateAsync();
        var underscore = await mine.OpenAsync($"{mine.Role}_x1");
        await mine.OpenAsync($"{mine.Role}-x1");
        var percent = await mine.OpenAsync($"{mine.Role}%y");
        await mine.OpenAsync($"{mine.Role}zzy");

        Assert.Equal([underscore.Pid], await PidsFor($"sessions app={mine.Role}_x1"));
        Assert.Equal([percent.Pid], await PidsFor($"sessions app={mine.Role}%y"));
    }

    [Fact]
    public async Task Client_filter_matches_the_address_and_its_globs()
    {
        await using var mine = await TestSessions.CreateAsync();
        var a = await mine.OpenAsync();
        var b = await mine.OpenAsync();

        Assert.Equal([a.Pid, b.Pid], (await PidsFor($"sessions user={mine.Role} client=127.0.0.1")).Order());
        Assert.Equal([a.Pid, b.Pid], (await PidsFor($"sessions user={mine.Role} client=127.*")).Order());
        Assert.Empty(await PidsFor($"sessions user={mine.Role} client=10.*"));
    }

    [Fact]
    public async Task State_filter_tells_active_idle_and_idle_in_transaction_apart()
    {
        await using var mine = await TestSessions.CreateAsync();
        var active = await mine.OpenActiveAsync();
        var idle = await mine.OpenAsync();
        var inTx = await mine.OpenIdleInTransactionAsync();
        var aborted = await mine.OpenAsync();
        await aborted.ExecuteAsync("BEGIN");
        await Assert.ThrowsAsync<PostgresException>(() => aborted.ExecuteAsync("SELECT 1/0"));
        await TestSessions.WaitForStateAsync(aborted.Pid, "idle in transaction (aborted)");

        Assert.Equal([active.Pid], await PidsFor($"sessions user={mine.Role} state=active"));
        Assert.Equal([idle.Pid], await PidsFor($"sessions user={mine.Role} state=idle"));
        Assert.Equal([inTx.Pid], await PidsFor($"sessions user={mine.Role} state=idle-in-transaction"));
        Assert.Equal([aborted.Pid], await PidsFor($"sessions user={mine.Role} state=idle-in-transaction-aborted"));
        Assert.Empty(await PidsFor($"sessions user={mine.Role} state=fastpath"));
        Assert.Empty(await PidsFor($"sessions user={mine.Role} state=disabled"));
    }

    [Fact]
    public async Task Wait_filter_matches_the_wait_type_or_the_event()
    {
        await using var mine = await TestSessions.CreateAsync();
        var sleeping = await mine.OpenActiveAsync();
        var (a, b, c) = await mine.OpenLockChainAsync();

        Assert.Equal([sleeping.Pid], await PidsFor($"sessions user={mine.Role} wait=Timeout"));
        Assert.Equal([sleeping.Pid], await PidsFor($"sessions user={mine.Role} wait=PgSleep"));
        Assert.Equal([sleeping.Pid], await PidsFor($"sessions user={mine.Role} wait=pgsl*"));
        Assert.Equal([b.Pid, c.Pid], (await PidsFor($"sessions user={mine.Role} wait=Lock")).Order());
        Assert.Contains(a.Pid, await PidsFor($"sessions user={mine.Role} wait=ClientRead"));
    }

    [Fact]
    public async Task Longer_filter_keeps_a_session_idle_for_two_seconds_and_drops_a_fresh_one()
    {
        await using var mine = await TestSessions.CreateAsync();
        var old = await mine.OpenAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var fresh = await mine.OpenAsync();

        var reply = await Core.SendAsync($"sessions user={mine.Role} longer=1s");

        Assert.Equal([old.Pid], Pids(reply));
        Assert.DoesNotContain(fresh.Pid, Pids(reply));
        Assert.Matches(@"^\d+ seconds$", reply.Table!.Rows[0][7]);
        Assert.Empty(await PidsFor($"sessions user={mine.Role} longer=1h"));
    }

    [Fact]
    public async Task Query_filter_is_a_case_insensitive_substring()
    {
        await using var mine = await TestSessions.CreateAsync();
        var active = await mine.OpenActiveAsync();
        var idle = await mine.OpenAsync();

        Assert.Equal([active.Pid], await PidsFor($"sessions user={mine.Role} query~PG_SLEEP"));
        Assert.Equal([idle.Pid], await PidsFor($"sessions user={mine.Role} query~\"Pg_Backend_Pid(), (SELECT\""));
        Assert.Empty(await PidsFor($"sessions user={mine.Role} query~\"no such text anywhere\""));
    }

    [Fact]
    public async Task Limit_cuts_the_rows_and_says_how_many_more_there_are()
    {
        await using var mine = await TestSessions.CreateAsync();
        for (var i = 0; i < 4; i++)
        {
            await mine.OpenAsync();
        }

        var reply = await Core.SendAsync($"sessions user={mine.Role} limit=2");
        var text = TextRenderer.Render(reply);

        Assert.Equal(2, reply.Table!.Rows.Count);
        Assert.Equal(4, reply.Table.TotalRows);
        Assert.Equal("4 sessions on test: 4 idle", reply.Title);
        Assert.Contains("… 2 more sessions not shown: add limit=50 or narrow the filters.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sort_orders_the_rows()
    {
        await using var mine = await TestSessions.CreateAsync();
        var c = await mine.OpenAsync(mine.App("c"));
        var a = await mine.OpenAsync(mine.App("a"));
        var b = await mine.OpenAsync(mine.App("b"));
        int[] opened = [c.Pid, a.Pid, b.Pid];

        Assert.Equal([a.Pid, b.Pid, c.Pid], await PidsFor($"sessions user={mine.Role} sort=app"));
        Assert.Equal(opened.Order(), await PidsFor($"sessions user={mine.Role} sort=pid"));
        Assert.Equal(opened, await PidsFor($"sessions user={mine.Role} sort=started"));
        Assert.Equal(opened, await PidsFor($"sessions user={mine.Role}"));
        Assert.Equal(opened, await PidsFor($"sessions user={mine.Role} sort=duration"));
    }

    [Fact]
    public async Task Filters_combine()
    {
        await using var mine = await TestSessions.CreateAsync();
        var wanted = await mine.OpenIdleInTransactionAsync(mine.App("x"));
        await mine.OpenIdleInTransactionAsync(mine.App("y"));
        await mine.OpenAsync(mine.App("x"));

        Assert.Equal([wanted.Pid], await PidsFor($"sessions user={mine.Role} app={mine.App("x")} state=idle-in-transaction client=127.0.0.1 query~\"select 1\""));
    }
}
