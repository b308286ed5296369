using System.Net.Http.Headers;

namespace PgChatOps.Hosting;

/// <summary>Rate-limit state a platform announces before a 429 (Discord's buckets), shared by every call of one client.</summary>
public interface IApiRateLimits
{
    /// <summary>Waits while <paramref name="route"/>'s bucket (or the global limit) is used up.</summary>
    Task WaitAsync(string route, CancellationToken ct);

    /// <summary>Reads what an answer says about <paramref name="route"/>'s bucket.</summary>
    void Observe(string route, HttpResponseHeaders headers);

    /// <summary>A 429 holds <paramref name="route"/> (or everything) for its wait.</summary>
    void Hold(string route, RateLimitWait wait);
}
