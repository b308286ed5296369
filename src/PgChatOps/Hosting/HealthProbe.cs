namespace PgChatOps.Hosting;

/// <summary>
/// <c>healthcheck</c>: GETs this container's own <c>/healthz</c> and exits 0 or 1. The ASP.NET runtime image has
/// neither curl nor wget, so the Dockerfile's HEALTHCHECK runs this.
/// </summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var url = args.Length > 0 ? args[0] : $"http://127.0.0.1:{LocalPort()}/healthz";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            await output.WriteLineAsync($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The port from ASPNETCORE_URLS (or ASPNETCORE_HTTP_PORTS), 8080 otherwise.</summary>
    internal static int LocalPort()
    {
        var urls = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = url.LastIndexOf(':');
            if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && colon > 6
                && int.TryParse(url[(colon + 1)..].TrimEnd('/'), out var port))
            {
                return port;
            }
        }
        var ports = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS");
        return int.TryParse(ports?.Split(';', ',')[0], out var p) ? p : 8080;
    }
}
