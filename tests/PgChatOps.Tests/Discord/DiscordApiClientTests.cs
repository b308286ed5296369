using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgChatOps.Discord;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Discord;

public sealed class DiscordApiClientTests
{
    /// <summary>Answers each request with the next scripted response and records when it came.</summary>
    private sealed class ScriptedDiscord(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private int _next;
        public List<(TimeSpan At, HttpRequestMessage Request)> Seen { get; } = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((_clock.Elapsed, request));
            return Task.FromResult(answers[Math.Min(_next++, answers.Length - 1)]());
        }
    }

    private static DiscordApiClient Client(ScriptedDiscord discord) =>
        new(new HttpClient(discord) { BaseAddress = new Uri("https://discord.test/api/v10/") },
            new DiscordRateLimits(TimeProvider.System),
            Options.Create(new PgChatOpsOptions { Discord = new DiscordOptions { BotToken = "secret" } }),
            TimeProvider.System,
            NullLogger<DiscordApiClient>.Instance);

    private static HttpResponseMessage Ok(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
        foreach (var (name, value) in headers)
        {
            response.Headers.Add(name, value);
        }
        return response;
    }

    private static HttpResponseMessage TooMany(string body, string? retryAfterHeader = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent(body) };
        if (retryAfterHeader is not null)
        {
            response.Headers.Add("Retry-After", retryAfterHeader);
        }
        return response;
    }

    [Fact]
    public async Task A_429_is_retried_after_the_retry_after_of_its_body_rather_than_the_header()
    {
        var discord = new ScriptedDiscord(() => TooMany("""{"message":"You are being rate limited.","retry_after":0.3,"global":false}""", "25"), () => Ok());

        var result = await Client(discord).PostMessageAsync("1", new JsonObject { ["content"] = "x" }, CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal(2, discord.Seen.Count);
        var gap = discord.Seen[1].At - discord.Seen[0].At;
        // Far below the header's 25 s, with room for a loaded machine.
        Assert.InRange(gap, TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_429_without_a_body_honours_the_Retry_After_header()
    {
        var discord = new ScriptedDiscord(() => TooMany("<html>slow down</html>", "1"), () => Ok());

        var result = await Client(discord).PostMessageAsync("1", new JsonObject(), CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.True(discord.Seen[1].At - discord.Seen[0].At >= TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task A_rate_limit_longer_than_the_bound_is_not_waited_out()
    {
        var discord = new ScriptedDiscord(() => TooMany("""{"retry_after":120.5,"global":false}"""));

        var result = await Client(discord).PostMessageAsync("1", new JsonObject(), CancellationToken.None);

        Assert.Equal(HttpStatusCode.TooManyRequests, result.Status);
        Assert.Single(discord.Seen);
    }

    [Fact]
    public async Task A_used_up_bucket_makes_the_next_call_wait_for_its_reset()
    {
        var discord = new ScriptedDiscord(() => Ok(("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset-After", "0.4")), () => Ok());
        var client = Client(discord);

        await client.PostMessageAsync("1", new JsonObject(), CancellationToken.None);
        await client.PostMessageAsync("1", new JsonObject(), CancellationToken.None);

        Assert.True(discord.Seen[1].At - discord.Seen[0].At >= TimeSpan.FromMilliseconds(380));
    }

    [Fact]
    public async Task Server_errors_are_retried_a_bounded_number_of_times()
    {
        var discord = new ScriptedDiscord(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("") });

        var result = await Client(discord).PostMessageAsync("1", new JsonObject(), CancellationToken.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, result.Status);
        Assert.Equal(3, discord.Seen.Count);
    }

    [Fact]
    public async Task Channel_posts_carry_the_bot_token_and_webhook_calls_do_not()
    {
        var discord = new ScriptedDiscord(() => Ok());
        var client = Client(discord);

        await client.PostMessageAsync("42", new JsonObject(), CancellationToken.None);
        await client.EditOriginalAsync("7", "tok/en", new JsonObject(), CancellationToken.None);

        Assert.Equal("Bot secret", discord.Seen[0].Request.Headers.Authorization?.ToString());
        Assert.Equal("https://discord.test/api/v10/channels/42/messages", discord.Seen[0].Request.RequestUri!.ToString());
        Assert.Null(discord.Seen[1].Request.Headers.Authorization);
        Assert.Equal(HttpMethod.Patch, discord.Seen[1].Request.Method);
        Assert.Equal("https://discord.test/api/v10/webhooks/7/tok%2Fen/messages/@original", discord.Seen[1].Request.RequestUri!.AbsoluteUri);
    }
}
