using Microsoft.Extensions.Time.Testing;
using PgChatOps.Discord.Gateway;

namespace PgChatOps.Tests.Discord.Gateway;

public sealed class GatewaySendLimiterTests
{
    [Fact]
    public async Task The_121st_send_in_a_minute_waits_until_the_first_ages_out()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var limiter = new GatewaySendLimiter(time);
        await limiter.WaitAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        for (var i = 1; i < GatewaySendLimiter.MaxSends; i++)
        {
            Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
        }

        var next = limiter.WaitAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(49));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(TimeSpan.FromSeconds(5));

        // The window now holds 120 again: the one after it waits for the sends made at +10 s.
        Assert.False(limiter.WaitAsync(CancellationToken.None).IsCompleted);
    }
}
