namespace PgChatOps.Discord.Gateway;

internal static class GatewayUrl
{
    public const string Query = "v=10&encoding=json";

    /// <summary><c>wss://gateway.discord.gg</c> → <c>wss://gateway.discord.gg/?v=10&amp;encoding=json</c>; any query it had is replaced.</summary>
    public static Uri WithQuery(Uri url) => new UriBuilder(url) { Query = Query }.Uri;

    /// <summary>
    /// Whether a socket URL Discord gave us may carry the bot token: <c>wss://</c> only, or <c>ws://</c> when the API
    /// itself is plain <c>http://</c> (a local fake in tests). Never a downgrade to plain text against the real API.
    /// </summary>
    public static bool IsSafeSocket(Uri url, Uri apiBaseUrl) =>
        url.Scheme == "wss" || (url.Scheme == "ws" && apiBaseUrl.Scheme == Uri.UriSchemeHttp);

    /// <summary><paramref name="relative"/> under the API base, whether or not the base ends with a slash.</summary>
    public static Uri ApiUrl(Uri apiBaseUrl, string relative) =>
        new(apiBaseUrl.AbsoluteUri.EndsWith('/') ? apiBaseUrl : new Uri(apiBaseUrl.AbsoluteUri + "/"), relative);
}
