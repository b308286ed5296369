namespace PgChatOps.Activity;

/// <summary>Who is waiting for the lifeline: an action (or a state-store write), or a read.</summary>
internal enum LifelineUse
{
    /// <summary>A signal and the writes around it: waits its turn, and goes before every waiting read.</summary>
    Action,

    /// <summary>A read or a probe: waits briefly, behind every waiting action, and otherwise gives up.</summary>
    Read,
}

/// <summary>
/// The lifeline's gate: one holder at a time, and two queues. When the holder leaves, the gate passes to the
/// longest-waiting action if there is one, otherwise to the longest-waiting read. No polling: each waiter awaits
/// its own task, completed under the lock by the holder that hands over.
/// </summary>
internal sealed class LifelineGate
{
    private readonly object _lock = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _actions = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _reads = new();
    private bool _held;

    /// <summary>Actions and reads waiting now (for tests and diagnostics).</summary>
    internal (int Actions, int Reads) Waiting
    {
        get
        {
            lock (_lock)
            {
                return (_actions.Count, _reads.Count);
            }
        }
    }

    /// <summary>Takes the gate at once if nobody holds it.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_held)
            {
                return false;
            }
            _held = true;
            return true;
        }
    }

    /// <summary>
    /// Waits for the gate: true when it is held, false when <paramref name="timeout"/> passed first
    /// (<see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes). Throws when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<bool> EnterAsync(LifelineUse use, TimeSpan timeout, CancellationToken ct)
    {
        TaskCompletionSource<bool> waiter;
        LinkedListNode<TaskCompletionSource<bool>> node;
        var queue = use == LifelineUse.Action ? _actions : _reads;
        lock (_lock)
        {
            ct.ThrowIfCancellationRequested();
            if (!_held)
            {
                _held = true;
                return true;
            }
            if (timeout == TimeSpan.Zero)
            {
                return false;
            }
            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = queue.AddLast(waiter);
        }

        using var timer = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout);
        using var onTimeout = timer?.Token.Register(() => GiveUp(queue, node, result: false));
        using var onCancel = ct.Register(() => GiveUp(queue, node, result: null));
        // Either the holder handed the gate over (true), the wait timed out (false), or it was cancelled.
        return await waiter.Task;
    }

    /// <summary>Leaves the gate, handing it to the next waiter: actions first.</summary>
    public void Release()
    {
        TaskCompletionSource<bool>? next;
        lock (_lock)
        {
            if (!_held)
            {
                throw new SemaphoreFullException("The lifeline's gate was released but not held.");
            }
            var queue = _actions.Count > 0 ? _actions : _reads.Count > 0 ? _reads : null;
            if (queue is null)
            {
                _held = false;
                return;
            }
            next = queue.First!.Value;
            queue.RemoveFirst();
        }
        // Still held: ownership passes to the waiter, whose continuation runs elsewhere.
        next.SetResult(true);
    }

    /// <summary>A waiter stops waiting, unless it was already handed the gate (then it keeps it and must release it).</summary>
    private void GiveUp(LinkedList<TaskCompletionSource<bool>> queue, LinkedListNode<TaskCompletionSource<bool>> node, bool? result)
    {
        lock (_lock)
        {
            if (node.List != queue)
            {
                return;
            }
            queue.Remove(node);
        }
        if (result is { } r)
        {
            node.Value.SetResult(r);
        }
        else
        {
            node.Value.SetCanceled();
        }
    }
}
