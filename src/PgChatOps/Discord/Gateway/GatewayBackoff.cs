namespace PgChatOps.Discord.Gateway;

/// <summary>
/// The wait before a reconnect after <c>failures</c> attempts in a row that did not reach a session: none for
/// the first (op 7 and ordinary drops reconnect at once), then doubling from the base up to the cap, each drawn
/// from the upper half of its range so replicas do not reconnect in step.
/// </summary>
internal static class GatewayBackoff
{
    public static TimeSpan Delay(int failures, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }
        var exponent = Math.Min(failures - 1, 30);
        var ceiling = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (random.NextDouble() / 2)));
    }

    /// <summary>A uniformly random wait in [min, max].</summary>
    public static TimeSpan Between(TimeSpan min, TimeSpan max, Random random) =>
        max <= min ? min : min + TimeSpan.FromMilliseconds(random.NextDouble() * (max - min).TotalMilliseconds);
}
