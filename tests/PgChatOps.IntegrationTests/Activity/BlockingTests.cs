using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using static PgChatOps.IntegrationTests.Activity.ReplyRows;

namespace PgChatOps.IntegrationTests.Activity;

public sealed class BlockingTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    [Fact]
    public async Task A_lock_chain_is_shown_with_the_root_first_and_each_waiter_under_its_blocker()
    {
        await using var mine = await TestSessions.CreateAsync();
        var (a, b, c) = await mine.OpenLockChainAsync();

        var reply = await fixture.Core.SendAsync("blocking");

        Assert.Equal(ReplyKind.Info, reply.Kind);
        var rows = reply.Table!.Rows;
        // Other tests may hold lock chains of their own: find ours, and check it is drawn as one subtree.
        var ia = rows.ToList().FindIndex(r => Pid(r[0]) == a.Pid);
        Assert.True(ia >= 0, TextRenderer.Render(reply));
        Assert.Equal(0, Depth(rows[ia][0]));
        Assert.Equal(b.Pid, Pid(rows[ia + 1][0]));
        Assert.Equal(1, Depth(rows[ia + 1][0]));
        Assert.Equal(c.Pid, Pid(rows[ia + 2][0]));
        Assert.Equal(2, Depth(rows[ia + 2][0]));
        Assert.StartsWith("  └ ", rows[ia + 1][0], StringComparison.Ordinal);
        Assert.StartsWith("    └ ", rows[ia + 2][0], StringComparison.Ordinal);

        Assert.Equal("blocks 2", rows[ia][6]);
        Assert.Equal("", rows[ia][5]);
        Assert.Matches(@"^(under a second|\d+ seconds?)$", rows[ia + 1][5]);
        Assert.Matches(@"^(under a second|\d+ seconds?)$", rows[ia + 2][5]);
        Assert.Equal(mine.Role, rows[ia + 1][1]);
        Assert.Equal("idle-in-tx", rows[ia][4]);
        Assert.Equal("active", rows[ia + 1][4]);
        Assert.Contains("waiting on locks", reply.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_waiters_of_a_chain_show_who_blocks_them_in_show()
    {
        await using var mine = await TestSessions.CreateAsync();
        var (a, b, c) = await mine.OpenLockChainAsync();

        var showB = await fixture.Core.SendAsync($"show {b.Pid}");
        var showA = await fixture.Core.SendAsync($"show {a.Pid}");
        var fieldsB = showB.Fields.ToDictionary(f => f.Name, f => f.Value);
        var fieldsA = showA.Fields.ToDictionary(f => f.Name, f => f.Value);

        Assert.Equal(a.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fieldsB["blocked by"]);
        Assert.Equal("1 session", fieldsB["blocking"]);
        Assert.Matches(@"^Lock: \w+ for (under a second|\d+ seconds?)$", fieldsB["wait"]);
        Assert.Equal("nobody", fieldsA["blocked by"]);
        Assert.Equal("1 session", fieldsA["blocking"]);
        _ = c;
    }
}
