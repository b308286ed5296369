using System.Text.Json.Nodes;
using PgChatOps.Slack.SocketMode;

namespace PgChatOps.Tests.Slack.SocketMode;

public sealed class SocketModePartsTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(0, 0.0, 500)]
    [InlineData(0, 0.999, 999.5)]
    [InlineData(3, 0.0, 4000)]
    [InlineData(6, 0.0, 30000)]
    [InlineData(50, 0.999, 59970)]
    public void Reconnect_backoff_doubles_is_capped_and_stays_between_half_and_all_of_the_step(int attempt, double jitter, double expectedMs) =>
        Assert.Equal(expectedMs, ReconnectBackoff.Delay(attempt, Initial, Max, jitter).TotalMilliseconds, precision: 0);

    [Fact]
    public void An_inline_answer_is_taken_once_and_reported_to_the_transport()
    {
        var inline = new SocketModeInlineReply(acceptsResponsePayload: true);
        Assert.True(inline.TryAnswer(new JsonObject { ["text"] = "first" }));
        Assert.False(inline.TryAnswer(new JsonObject { ["text"] = "second" }));
        Assert.True(inline.Answered.IsCompleted);
        Assert.Equal("first", inline.Close()!["text"]!.GetValue<string>());
    }

    [Fact]
    public void An_inline_answer_after_the_window_closed_is_refused()
    {
        var inline = new SocketModeInlineReply(acceptsResponsePayload: true);
        Assert.Null(inline.Close());
        Assert.False(inline.IsOpen);
        Assert.False(inline.TryAnswer(new JsonObject()));
    }

    [Fact]
    public void An_envelope_that_accepts_no_payload_never_takes_an_inline_answer() =>
        Assert.False(new SocketModeInlineReply(acceptsResponsePayload: false).TryAnswer(new JsonObject()));

    [Fact]
    public void Envelope_memory_recognizes_a_repeat_and_forgets_the_oldest_beyond_its_capacity()
    {
        var memory = new EnvelopeIdMemory(capacity: 2);
        var a = new SocketModeInlineReply(true);
        Assert.True(memory.TryRemember("a", a, out _));
        Assert.False(memory.TryRemember("a", new SocketModeInlineReply(true), out var first));
        Assert.Same(a, first);
        Assert.True(memory.TryRemember("b", new SocketModeInlineReply(true), out _));
        Assert.True(memory.TryRemember("c", new SocketModeInlineReply(true), out _));
        Assert.True(memory.TryRemember("a", new SocketModeInlineReply(true), out _));
    }

    [Theory]
    [InlineData("""{"ok":true,"url":"wss://wss.slack.test/link/?ticket=1234-5678"}""", "wss://wss.slack.test/link/?ticket=1234-5678", null, false)]
    [InlineData("""{"ok":false,"error":"invalid_auth"}""", null, "invalid_auth", true)]
    [InlineData("""{"ok":false,"error":"not_allowed_token_type"}""", null, "not_allowed_token_type", true)]
    [InlineData("""{"ok":false,"error":"internal_error"}""", null, "internal_error", false)]
    [InlineData("""{"ok":true,"url":"https://not-a-websocket.test/"}""", null, "invalid_response", false)]
    [InlineData("""{"ok":true}""", null, "invalid_response", false)]
    [InlineData("<html>", null, "invalid_response", false)]
    // Envelopes are not signed: against the real (https) API, a plain ws:// URL is refused, never connected to.
    [InlineData("""{"ok":true,"url":"ws://wss.slack.test/link/?ticket=1234-5678"}""", null, "invalid_response", false)]
    public void Apps_connections_open_answers_are_read_as_a_url_or_a_named_error(string body, string? url, string? error, bool tokenRefusal)
    {
        var result = ConnectionsOpenClient.Parse(body, new Uri("https://slack.com/api/"));
        Assert.Equal(url, result.Url?.OriginalString);
        Assert.Equal(error, result.Error);
        Assert.Equal(tokenRefusal, result.IsTokenRefusal);
    }

    [Fact]
    public void A_plain_ws_url_is_taken_only_from_a_plain_http_api_a_local_fake() =>
        Assert.Equal("ws://127.0.0.1:5555/link", ConnectionsOpenClient.Parse("""{"ok":true,"url":"ws://127.0.0.1:5555/link"}""", new Uri("http://127.0.0.1:5555/api/")).Url?.OriginalString);

    [Fact]
    public void Settings_refuse_an_inline_window_that_leaves_no_time_to_acknowledge_within_three_seconds()
    {
        var settings = new SocketModeSettings { AppToken = "xapp-1", ApiBaseUrl = new Uri("https://slack.test/api/"), InlineWindow = TimeSpan.FromSeconds(3) };
        Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
    }

    [Fact]
    public void Settings_never_print_the_app_token() =>
        Assert.DoesNotContain("xapp-secret", new SocketModeSettings { AppToken = "xapp-secret", ApiBaseUrl = new Uri("https://slack.test/api/") }.ToString(), StringComparison.Ordinal);
}
