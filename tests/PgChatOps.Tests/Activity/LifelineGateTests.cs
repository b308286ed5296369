using PgChatOps.Activity;

namespace PgChatOps.Tests.Activity;

public sealed class LifelineGateTests
{
    private static readonly TimeSpan Forever = Timeout.InfiniteTimeSpan;

    [Fact]
    public async Task A_waiting_action_is_served_before_reads_that_waited_longer()
    {
        var gate = new LifelineGate();
        Assert.True(gate.TryEnter());
        var read = gate.EnterAsync(LifelineUse.Read, Forever, CancellationToken.None);
        var action = gate.EnterAsync(LifelineUse.Action, Forever, CancellationToken.None);
        Assert.Equal((1, 1), gate.Waiting);

        gate.Release();
        Assert.True(await action.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(read.IsCompleted);

        gate.Release();
        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(10)));
        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task A_read_gives_up_after_its_wait_and_leaves_the_gate_to_the_holder()
    {
        var gate = new LifelineGate();
        Assert.True(gate.TryEnter());
        Assert.False(await gate.EnterAsync(LifelineUse.Read, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        Assert.Equal((0, 0), gate.Waiting);
        Assert.False(gate.TryEnter());
        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_is_forgotten()
    {
        var gate = new LifelineGate();
        Assert.True(gate.TryEnter());
        using var cts = new CancellationTokenSource();
        var action = gate.EnterAsync(LifelineUse.Action, Forever, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => action);
        Assert.Equal((0, 0), gate.Waiting);
        gate.Release();
        // Nobody inherited the gate from the cancelled waiter: it is free.
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task Waiters_of_one_kind_are_served_in_order()
    {
        var gate = new LifelineGate();
        Assert.True(gate.TryEnter());
        var first = gate.EnterAsync(LifelineUse.Action, Forever, CancellationToken.None);
        var second = gate.EnterAsync(LifelineUse.Action, Forever, CancellationToken.None);
        gate.Release();
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(second.IsCompleted);
        gate.Release();
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
