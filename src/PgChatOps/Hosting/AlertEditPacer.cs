using System.Collections.Concurrent;

namespace PgChatOps.Hosting;

/// <summary>
/// Edits of one alert message, at most one per <see cref="AlertPacing.MinGap"/>: an update that comes too soon
/// replaces any update still waiting and is sent once the gap has passed (detached, so a sample never waits for it).
/// The resolution is always sent, last: it drops a waiting update and no update is sent after it.
/// </summary>
public sealed class AlertEditPacer(AlertPacing pacing, TimeProvider time, DetachedWork background, ILogger<AlertEditPacer> log)
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>The message was just posted: its first edit waits out the gap too.</summary>
    public void Posted(string messageRef) => _slots.GetOrAdd(messageRef, _ => new Slot()).LastEdit = time.GetUtcNow();

    public async Task UpdateAsync(string platform, string messageRef, Func<CancellationToken, Task> edit, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(messageRef, _ => new Slot());
        DateTimeOffset due;
        lock (slot)
        {
            if (slot.Resolved)
            {
                return;
            }
            var now = time.GetUtcNow();
            due = slot.LastEdit + pacing.MinGap;
            if (now < due || slot.Pending is not null)
            {
                var scheduled = slot.Pending is not null;
                slot.Pending = edit;
                if (!scheduled)
                {
                    background.Run("send a paced alert edit", c => FlushAsync(platform, slot, due, c));
                }
                return;
            }
            slot.LastEdit = now;
        }
        await EditAsync(slot, edit, final: false, ct);
    }

    public async Task ResolveAsync(string messageRef, Func<CancellationToken, Task> edit, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(messageRef, _ => new Slot());
        DateTimeOffset due;
        lock (slot)
        {
            slot.Resolved = true;
            slot.Pending = null;
            due = slot.LastEdit + pacing.MinGap;
        }
        try
        {
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct);
            }
            await EditAsync(slot, edit, final: true, ct);
        }
        finally
        {
            _slots.TryRemove(new KeyValuePair<string, Slot>(messageRef, slot));
        }
    }

    private async Task FlushAsync(string platform, Slot slot, DateTimeOffset due, CancellationToken ct)
    {
        var wait = due - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, ct);
        }
        Func<CancellationToken, Task>? edit;
        lock (slot)
        {
            (edit, slot.Pending) = (slot.Pending, null);
            if (edit is null || slot.Resolved)
            {
                return;
            }
            slot.LastEdit = time.GetUtcNow();
        }
        try
        {
            await EditAsync(slot, edit, final: false, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AlertLog.PacedEditFailed(log, platform, ex.Message);
        }
    }

    /// <summary>One edit of a message at a time, so an update never lands after the resolution.</summary>
    private static async Task EditAsync(Slot slot, Func<CancellationToken, Task> edit, bool final, CancellationToken ct)
    {
        await slot.Gate.WaitAsync(ct);
        try
        {
            if (!final && slot.Resolved)
            {
                return;
            }
            await edit(ct);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private sealed class Slot
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset LastEdit { get; set; } = DateTimeOffset.MinValue;
        public Func<CancellationToken, Task>? Pending { get; set; }
        public bool Resolved { get; set; }
    }
}
