namespace PgChatOps.Slack;

/// <summary>
/// A response_url arrives inside the request, so it is checked before the bot posts anything to it: only
/// <c>https://hooks.slack.com/…</c>, or the scheme, host and port of <c>Slack:ApiBaseUrl</c> (a test's fake Slack).
/// Anything else would let a request make the bot post replies, query text included, to a host of its choosing.
/// </summary>
internal static class SlackResponseUrl
{
    public const string SlackHooksHost = "hooks.slack.com";

    /// <summary>The URL when it is one the bot may post to; null otherwise (missing, relative, or another host).</summary>
    public static Uri? Read(string? value, string? apiBaseUrl) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && IsAllowed(url, apiBaseUrl) ? url : null;

    public static bool IsAllowed(Uri url, string? apiBaseUrl)
    {
        if (!url.IsAbsoluteUri || url.UserInfo.Length > 0)
        {
            return false;
        }
        if (url.Scheme == Uri.UriSchemeHttps && url.IsDefaultPort
            && string.Equals(url.IdnHost, SlackHooksHost, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return Uri.TryCreate(apiBaseUrl, UriKind.Absolute, out var api)
            && (api.Scheme == Uri.UriSchemeHttps || api.Scheme == Uri.UriSchemeHttp)
            && url.Scheme == api.Scheme
            && string.Equals(url.IdnHost, api.IdnHost, StringComparison.OrdinalIgnoreCase)
            && url.Port == api.Port;
    }
}
