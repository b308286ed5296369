using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Hosting;
using PgChatOps.Slack;

namespace PgChatOps.Tests.Slack;

public sealed class SlackApiClientTests
{
    private sealed class ScriptedHandler(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public ConcurrentQueue<(HttpRequestMessage Request, string Body)> Seen { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Enqueue((request, body));
            return answers[Math.Min(Seen.Count, answers.Length) - 1]();
        }
    }

    private static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };

    private static SlackApiClient Client(HttpMessageHandler handler, TimeProvider? time = null) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("https://slack.test/api/") },
            Options.Create(new PgChatOpsOptions { Slack = { BotToken = "xoxb-test" } }),
            time ?? TimeProvider.System,
            NullLogger<SlackApiClient>.Instance);

    [Fact]
    public async Task A_call_sends_json_with_the_bearer_token_to_the_method_url()
    {
        var handler = new ScriptedHandler(() => Json("""{"ok":true,"ts":"1.2"}"""));
        var ts = await Client(handler).PostMessageAsync("C1", new JsonObject { ["text"] = "hi" }, "0.1", CancellationToken.None);

        Assert.Equal("1.2", ts);
        var (request, body) = Assert.Single(handler.Seen);
        Assert.Equal("https://slack.test/api/chat.postMessage", request.RequestUri!.ToString());
        Assert.Equal("Bearer xoxb-test", request.Headers.Authorization!.ToString());
        Assert.Equal("application/json; charset=utf-8", request.Content!.Headers.ContentType!.ToString());
        var json = JsonNode.Parse(body)!;
        Assert.Equal("C1", json["channel"]!.GetValue<string>());
        Assert.Equal("0.1", json["thread_ts"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ok_false_becomes_a_typed_error()
    {
        var handler = new ScriptedHandler(() => Json("""{"ok":false,"error":"channel_not_found"}"""));
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client(handler).PostMessageAsync("C1", [], null, CancellationToken.None));
        Assert.Equal("channel_not_found", ex.Error);
    }

    [Fact]
    public async Task Response_url_posts_carry_no_token()
    {
        var handler = new ScriptedHandler(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") });
        await Client(handler).PostToResponseUrlAsync(new Uri("https://hooks.slack.com/actions/1"), new JsonObject { ["text"] = "x" }, CancellationToken.None);
        var (request, _) = Assert.Single(handler.Seen);
        Assert.Null(request.Headers.Authorization);
        Assert.Equal("https://hooks.slack.com/actions/1", request.RequestUri!.ToString());
    }

    [Theory]
    [InlineData("https://hooks.slack.com.attacker.example/actions/1")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    public async Task Item5_the_client_refuses_to_post_to_a_response_url_outside_slack(string url)
    {
        var handler = new ScriptedHandler(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") });

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client(handler).PostToResponseUrlAsync(new Uri(url), new JsonObject { ["text"] = "x" }, CancellationToken.None));

        Assert.StartsWith("untrusted_response_url", ex.Error, StringComparison.Ordinal);
        Assert.Empty(handler.Seen);
    }

    [Fact]
    public async Task A_429_waits_for_Retry_After_then_sends_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new ScriptedHandler(
            () => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7)) } },
            () => Json("""{"ok":true,"ts":"9.9"}"""));
        var call = Client(handler, time).PostMessageAsync("C1", [], null, CancellationToken.None);

        await WaitUntil(() => handler.Seen.Count == 1);
        time.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(100);
        Assert.False(call.IsCompleted);
        Assert.Single(handler.Seen);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("9.9", await call.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, handler.Seen.Count);
    }

    [Fact]
    public async Task Rate_limit_waits_are_bounded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new ScriptedHandler(() => new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromHours(1)) },
        });
        var call = Client(handler, time).PostMessageAsync("C1", [], null, CancellationToken.None);
        for (var i = 1; i <= SlackApiClient.MaxRateLimitWaits; i++)
        {
            await WaitUntil(() => handler.Seen.Count == i);
            // Retry-After is capped: an hour becomes at most MaxRetryAfter.
            time.Advance(SlackApiClient.MaxRetryAfter);
        }
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => call.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("ratelimited", ex.Error);
        Assert.Equal(SlackApiClient.MaxRateLimitWaits + 1, handler.Seen.Count);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
