namespace PgChatOps.Slack.SocketMode;

/// <summary>Capped exponential backoff with "equal jitter": the delay is between half and all of the capped step.</summary>
internal static class ReconnectBackoff
{
    /// <param name="attempt">0 for the first retry.</param>
    /// <param name="jitter">A number in [0, 1), e.g. <c>Random.Shared.NextDouble()</c>.</param>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double jitter)
    {
        var step = initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30));
        var capped = Math.Min(step, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + capped / 2 * Math.Clamp(jitter, 0, 1));
    }
}
