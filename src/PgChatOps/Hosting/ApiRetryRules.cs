using System.Net;

namespace PgChatOps.Hosting;

/// <summary>
/// A platform's answers to "not done, come back later" (429 and 503), which <see cref="ApiSender"/> waits out for
/// every request, posts included: the platform did not act on them.
/// </summary>
public sealed record ApiRetryRules
{
    /// <summary>For log lines.</summary>
    public required string Platform { get; init; }

    /// <summary>How long a 429 asks to wait: the platform's own headers or body.</summary>
    public required Func<HttpResponseMessage, string, RateLimitWait> RetryAfter { get; init; }

    /// <summary>How many times a 429 is waited out before its result is returned.</summary>
    public required int MaxRateLimitRetries { get; init; }

    /// <summary>No single wait is longer than this.</summary>
    public required TimeSpan MaxRetryAfter { get; init; }

    /// <summary>
    /// A 429 asking for longer than <see cref="MaxRetryAfter"/>: give up at once (true), or wait the maximum and try
    /// again (false). Discord counts every 429 towards a temporary IP ban, so there a long wait is not tried early.
    /// </summary>
    public required bool GiveUpBeyondMaxRetryAfter { get; init; }

    /// <summary>How many times a 503 (the platform refusing before acting) is retried, with a short backoff.</summary>
    public int MaxUnavailableRetries { get; init; } = 2;

    internal static TimeSpan UnavailableBackoff(int retry) => TimeSpan.FromMilliseconds(250 * Math.Pow(2, retry - 1));

    internal static bool IsUnavailable(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.ServiceUnavailable;
}

/// <param name="Global">Every route is held, not only this one (Discord's global limit).</param>
public readonly record struct RateLimitWait(TimeSpan Wait, bool Global = false);
