using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>
/// What Discord's rate-limit headers said, shared by every <see cref="DiscordApiClient"/>: a route whose bucket
/// is used up (<c>X-RateLimit-Remaining: 0</c>) waits for <c>X-RateLimit-Reset-After</c>; a global 429 holds every route.
/// </summary>
public sealed class DiscordRateLimits(TimeProvider time) : IApiRateLimits
{
    /// <summary>No single wait is longer than this; beyond it the call goes ahead and Discord decides.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);
    private DateTimeOffset _globalUntil = DateTimeOffset.MinValue;

    public async Task WaitAsync(string route, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = _until.TryGetValue(route, out var u) && u > _globalUntil ? u : _globalUntil;
        var wait = until - now;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait < MaxWait ? wait : MaxWait, time, ct);
        }
    }

    public void Observe(string route, HttpResponseHeaders headers)
    {
        if (Header(headers, "X-RateLimit-Remaining") is "0" && Seconds(Header(headers, "X-RateLimit-Reset-After")) is { } after)
        {
            _until[route] = time.GetUtcNow() + after;
        }
    }

    public void Hold(string route, RateLimitWait wait)
    {
        if (wait.Global)
        {
            _globalUntil = time.GetUtcNow() + wait.Wait;
        }
        else
        {
            _until[route] = time.GetUtcNow() + wait.Wait;
        }
    }

    internal static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    internal static TimeSpan? Seconds(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && s < 86400
            ? TimeSpan.FromSeconds(s)
            : null;
}
