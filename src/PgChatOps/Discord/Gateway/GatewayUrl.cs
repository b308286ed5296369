namespace PgChatOps.Discord.Gateway;

internal static class GatewayUrl
{
    public const string Query = "v=10&encoding=json";

    /// <summary><c>wss://gateway.discord.gg</c> → <c>wss://gateway.discord.gg/?v=10&amp;encoding=json</c>; any query it had is replaced.</summary>
    public static Uri WithQuery(Uri url) => new UriBuilder(url) { Query = Query }.Uri;

    /// <summary><paramref name="relative"/> under the API base, whether or not the base ends with a slash.</summary>
    public static Uri ApiUrl(Uri apiBaseUrl, string relative) =>
        new(apiBaseUrl.AbsoluteUri.EndsWith('/') ? apiBaseUrl : new Uri(apiBaseUrl.AbsoluteUri + "/"), relative);
}
