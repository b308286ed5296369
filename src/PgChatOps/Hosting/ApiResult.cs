using System.Globalization;
using System.Net;

namespace PgChatOps.Hosting;

/// <summary>
/// What a platform API (Slack's Web API, a response_url, Discord's REST API) answered, after the retries
/// <see cref="ApiSender"/> allows. Never thrown: the caller decides what a failure means.
/// </summary>
/// <param name="Status">The last HTTP status, or null when no answer came.</param>
/// <param name="Body">The last answer's body; for no answer, why (never a URL).</param>
/// <param name="Failure">For no answer: <c>http_unreachable</c> or <c>http_timeout</c>.</param>
public sealed record ApiResult(HttpStatusCode? Status, string Body, int Attempts, string? Failure = null)
{
    public bool IsSuccess => Status is { } s && (int)s is >= 200 and < 300;

    /// <summary>A short code for a failure in Slack's style: <c>ratelimited</c>, <c>http_503</c>, <c>http_timeout</c>…</summary>
    public string Error => Failure
        ?? (Status == HttpStatusCode.TooManyRequests ? "ratelimited" : "http_" + ((int?)Status ?? 0).ToString(CultureInfo.InvariantCulture));

    public override string ToString() => Status is { } s ? $"HTTP {(int)s}" : "no answer";
}
