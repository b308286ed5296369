using PgChatOps.Discord.Gateway;

namespace PgChatOps.Tests.Discord.Gateway;

public sealed class GatewayBackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_first_reconnect_is_immediate() =>
        Assert.Equal(TimeSpan.Zero, GatewayBackoff.Delay(0, Base, Cap, new Random(1)));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(1000, 60)]
    public void Failures_double_the_wait_up_to_the_cap_with_jitter_in_its_upper_half(int failures, int ceilingSeconds)
    {
        var random = new Random(failures);
        for (var i = 0; i < 100; i++)
        {
            var delay = GatewayBackoff.Delay(failures, Base, Cap, random);
            Assert.InRange(delay.TotalSeconds, ceilingSeconds / 2.0, ceilingSeconds);
        }
    }

    [Fact]
    public void The_wait_after_an_invalid_session_stays_between_its_bounds()
    {
        var random = new Random(7);
        for (var i = 0; i < 100; i++)
        {
            Assert.InRange(GatewayBackoff.Between(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), random).TotalSeconds, 1, 5);
        }
    }
}
