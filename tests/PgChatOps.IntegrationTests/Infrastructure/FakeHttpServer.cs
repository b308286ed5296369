using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for Slack's or Discord's API. It records every request
/// and answers with <see cref="Handler"/> (default: 200 with <c>{"ok":true}</c>).
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeHttpServer(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>, always with a trailing slash.</summary>
    public string BaseUrl { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Decides each answer. Runs after the request is recorded.</summary>
    public Func<RecordedRequest, FakeResponse> Handler { get; set; } = _ => FakeResponse.Json("""{"ok":true}""");

    public static async Task<FakeHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeHttpServer? server = null;
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                System.Text.Encoding.UTF8.GetString(bytes),
                DateTimeOffset.UtcNow)
            {
                Bytes = bytes,
            };
            server!.Requests.Enqueue(recorded);
            var response = server.Handler(recorded);
            context.Response.StatusCode = (int)response.Status;
            foreach (var (k, v) in response.Headers)
            {
                context.Response.Headers[k] = v;
            }
            if (response.Body is not null)
            {
                context.Response.ContentType = response.ContentType;
                await context.Response.WriteAsync(response.Body);
            }
        });
        await app.StartAsync();
        var url = app.Urls.First().TrimEnd('/') + "/";
        server = new FakeHttpServer(app, url);
        return server;
    }

    /// <summary>Waits (bounded) until a recorded request matches.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var found = Requests.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"No matching request arrived. Seen: {string.Join(", ", Requests.Select(r => r.Method + " " + r.Path))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    /// <summary>The body as sent: <see cref="Body"/> is its UTF-8 reading, which garbles binary files such as PNGs.</summary>
    public byte[] Bytes { get; init; } = [];
}

public sealed record FakeResponse(HttpStatusCode Status, string? Body, string ContentType = "application/json")
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static FakeResponse Json(string body, HttpStatusCode status = HttpStatusCode.OK) => new(status, body);
}
