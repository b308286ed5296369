using PgChatOps.Activity;

namespace PgChatOps.Tests.Activity;

public sealed class BlockingForestTests
{
    private static readonly DateTime T0 = new(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc);

    private static BlockingEntry Entry(int pid, int[] blockedBy, int waitSeconds = 0, int xactSeconds = 0) => new(
        new SessionInfo { Pid = pid, BackendStart = T0, BlockedBy = blockedBy, XactStart = T0.AddSeconds(xactSeconds) },
        blockedBy.Length == 0 ? null : T0.AddSeconds(waitSeconds));

    private static string Shape(IReadOnlyList<BlockingForest.Node> nodes) =>
        string.Join(" ", nodes.Select(n => $"{new string('.', n.Depth)}{n.Entry.Session.Pid}"));

    [Fact]
    public void A_chain_is_drawn_root_first_each_waiter_under_its_blocker()
    {
        var nodes = BlockingForest.Build([Entry(3, [2]), Entry(1, []), Entry(2, [1])]);

        Assert.Equal("1 .2 ..3", Shape(nodes));
        Assert.Equal(2, nodes[0].Waiters);
        Assert.Null(nodes[0].ParentPid);
        Assert.Equal(1, nodes[1].ParentPid);
        Assert.Equal(2, nodes[2].ParentPid);
    }

    [Fact]
    public void The_root_blocking_the_most_sessions_comes_first()
    {
        var nodes = BlockingForest.Build([Entry(10, []), Entry(11, [10]), Entry(20, []), Entry(21, [20]), Entry(22, [20]), Entry(23, [22])]);

        Assert.Equal("20 .21 .22 ..23 10 .11", Shape(nodes));
        Assert.Equal(3, nodes[0].Waiters);
    }

    [Fact]
    public void Waiters_under_one_blocker_are_ordered_by_how_long_they_wait()
    {
        var nodes = BlockingForest.Build([Entry(1, []), Entry(2, [1], waitSeconds: 30), Entry(3, [1], waitSeconds: 10)]);

        Assert.Equal("1 .3 .2", Shape(nodes));
    }

    [Fact]
    public void A_waiter_blocked_by_several_is_drawn_once_under_the_first()
    {
        var nodes = BlockingForest.Build([Entry(1, []), Entry(2, []), Entry(3, [2, 1])]);

        Assert.Equal(3, nodes.Count);
        Assert.Single(nodes, n => n.Entry.Session.Pid == 3);
        Assert.Equal(2, nodes.Single(n => n.Entry.Session.Pid == 3).ParentPid);
    }

    [Fact]
    public void A_deadlock_cycle_is_still_shown()
    {
        var nodes = BlockingForest.Build([Entry(1, [2]), Entry(2, [1])]);

        Assert.Equal(2, nodes.Count);
        Assert.Equal([1, 2], nodes.Select(n => n.Entry.Session.Pid).Order());
    }

    [Fact]
    public void Blockers_outside_the_list_do_not_hide_a_waiter()
    {
        var nodes = BlockingForest.Build([Entry(5, [999])]);

        Assert.Equal("5", Shape(nodes));
    }
}
