namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// What apps.connections.open said: a WebSocket <see cref="Url"/>, a refusal (<c>ok:false</c> with
/// <see cref="Error"/>), a rate limit with its <see cref="RetryAfter"/>, or a failure to get any answer.
/// </summary>
internal sealed record ConnectionsOpenResult(Uri? Url, string? Error, TimeSpan? RetryAfter, bool IsTokenRefusal)
{
    /// <summary>Errors that mean the token itself is wrong: retrying cannot help for long.</summary>
    private static readonly HashSet<string> TokenErrors = new(StringComparer.Ordinal)
    {
        "invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked",
        "token_expired", "missing_scope", "no_permission",
    };

    public static ConnectionsOpenResult Opened(Uri url) => new(url, null, null, false);

    public static ConnectionsOpenResult Refused(string error) => new(null, error, null, TokenErrors.Contains(error));

    public static ConnectionsOpenResult RateLimited(TimeSpan retryAfter) => new(null, "ratelimited", retryAfter, false);

    public static ConnectionsOpenResult Failed(string reason) => new(null, reason, null, false);
}
