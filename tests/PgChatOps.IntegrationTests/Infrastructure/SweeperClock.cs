using Microsoft.Extensions.Time.Testing;
using PgChatOps.Hosting;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>Drives an app's <see cref="ExpirySweeper"/> through a FakeTimeProvider.</summary>
public static class SweeperClock
{
    /// <summary>
    /// Moves the clock past <paramref name="ttl"/> and one sweep, then, while <paramref name="done"/> does not hold,
    /// on by one sweep interval at a time (the sweeper's timer may have started a little later than the app).
    /// Waits in real time between steps so that nothing in flight is cut short by the jump. Bounded.
    /// </summary>
    public static async Task ExpireAsync(FakeTimeProvider time, TimeSpan ttl, Func<bool> done)
    {
        time.Advance(ttl + ExpirySweeper.Interval + TimeSpan.FromSeconds(1));
        for (var step = 0; step < 4; step++)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                if (done())
                {
                    return;
                }
                await Task.Delay(50);
            }
            time.Advance(ExpirySweeper.Interval);
        }
        Assert.Fail("The expiry did not show within four sweeps.");
    }
}
