using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PgChatOps.Slack.SocketMode;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

public sealed class SlackSocketModeTransportTests
{
    private static JsonObject SlashCommand(string text = "sessions") => new()
    {
        ["command"] = "/pg",
        ["text"] = text,
        ["channel_id"] = "C1",
        ["user_id"] = "U1",
        ["response_url"] = "https://hooks.slack.test/commands/T1/1/abc",
    };

    private static JsonObject AppMention() => new() { ["event"] = new JsonObject { ["type"] = "app_mention", ["text"] = "<@B1> help" } };

    [Fact]
    public async Task The_transport_reports_itself_connected_only_after_hello_on_the_url_it_was_given()
    {
        var hold = new TaskCompletionSource();
        await using var run = await SocketModeRun.StartAsync(arrange: slack => slack.HoldHello = hold);

        var socket = await run.Slack.WaitForSocketAsync(1);
        var waiting = run.Transport.WhenConnectedAsync(CancellationToken.None);
        Assert.False(run.Transport.IsConnected);
        Assert.False(waiting.IsCompleted);

        hold.SetResult();
        await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(run.Transport.IsConnected);

        var call = Assert.Single(run.Slack.OpenCalls);
        Assert.Equal("Bearer " + FakeSlackSocketMode.AppToken, call.Authorization);
        Assert.Equal("", call.Body);
        Assert.EndsWith("ticket=" + socket.Ticket, call.Url);
        Assert.Equal(0, run.Slack.RejectedHandshakes);
    }

    [Fact]
    public async Task Every_envelope_is_acknowledged_with_its_envelope_id()
    {
        await using var run = await SocketModeRun.StartAsync();
        run.Handler.Behaviour = (_, _) => Task.FromResult<JsonObject?>(null);
        var socket = await run.ConnectedAsync();

        var ids = new[]
        {
            await socket.PushAsync(SocketModeMessageTypes.EventsApi, AppMention(), acceptsResponsePayload: false),
            await socket.PushAsync(SocketModeMessageTypes.Interactive, new JsonObject { ["type"] = "block_actions" }, acceptsResponsePayload: false),
            await socket.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true),
        };

        foreach (var id in ids)
        {
            var ack = await run.Slack.WaitForAckAsync(id);
            Assert.Equal(id, ack.Raw["envelope_id"]!.GetValue<string>());
            Assert.Null(ack.Payload);
            await run.Handler.WaitHandledAsync(id);
            Assert.Equal(1, run.Handler.TimesHandled(id));
        }
        var received = run.Handler.Received.ToDictionary(e => e.EnvelopeId);
        Assert.Equal("app_mention", received[ids[0]].Payload["event"]!["type"]!.GetValue<string>());
        Assert.Equal(SocketModeMessageTypes.SlashCommands, received[ids[2]].Type);
        Assert.Equal("/pg", received[ids[2]].Payload["command"]!.GetValue<string>());
        Assert.True(received[ids[2]].AcceptsResponsePayload);
        Assert.Empty(run.Slack.Misses);
    }

    [Fact]
    public async Task A_slash_command_answered_within_the_window_has_its_answer_in_the_ack()
    {
        await using var run = await SocketModeRun.StartAsync();
        var socket = await run.ConnectedAsync();

        var id = await socket.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true);

        var ack = await run.Slack.WaitForAckAsync(id);
        Assert.Equal("answer to " + id, ack.Payload!["text"]!.GetValue<string>());
        Assert.True(ack.Delay < FakeSlackSocketMode.AckDeadline);
        var handled = await run.Handler.WaitHandledAsync(id);
        Assert.True(handled.InlineTaken);
        Assert.False(handled.ViaResponseUrl);
    }

    [Fact]
    public async Task A_slow_handler_gets_an_empty_ack_within_three_seconds_and_still_completes()
    {
        await using var run = await SocketModeRun.StartAsync();
        var release = new TaskCompletionSource();
        run.Handler.Behaviour = async (e, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return new JsonObject { ["text"] = "late answer" };
        };
        var socket = await run.ConnectedAsync();

        var id = await socket.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true);
        var ack = await run.Slack.WaitForAckAsync(id);
        Assert.Null(ack.Payload);
        Assert.True(ack.Delay < FakeSlackSocketMode.AckDeadline, $"acked after {ack.Delay}");
        Assert.True(ack.Delay >= run.Settings.InlineWindow - TimeSpan.FromMilliseconds(100), $"acked after {ack.Delay}, before the inline window ended");

        release.SetResult();
        var handled = await run.Handler.WaitHandledAsync(id);
        Assert.False(handled.InlineTaken);
        Assert.True(handled.ViaResponseUrl);
        Assert.Single(run.Slack.Acks, a => a.EnvelopeId == id);
        Assert.Empty(run.Slack.Misses);
    }

    [Theory]
    [InlineData(SocketModeMessageTypes.RefreshRequested)]
    [InlineData(SocketModeMessageTypes.Warning)]
    public async Task A_refresh_during_a_slow_command_loses_nothing_and_the_new_connection_comes_from_a_new_open_call(string reason)
    {
        await using var run = await SocketModeRun.StartAsync();
        var release = new TaskCompletionSource();
        run.Handler.Behaviour = async (e, ct) =>
        {
            if (e.Payload["text"]?.GetValue<string>() == "slow")
            {
                await release.Task.WaitAsync(ct);
            }
            return new JsonObject { ["text"] = "done" };
        };
        var old = await run.ConnectedAsync();
        var slow = await old.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand("slow"), acceptsResponsePayload: true);

        var hold = new TaskCompletionSource();
        run.Slack.HoldHello = hold;
        await old.SendDisconnectAsync(reason);
        var fresh = await run.Slack.WaitForSocketAsync(2);
        // The new socket is open but has not said hello: the old one is still the app's, and still read.
        var during = await old.PushAsync(SocketModeMessageTypes.EventsApi, AppMention(), acceptsResponsePayload: false);
        var duringAck = await run.Slack.WaitForAckAsync(during);
        Assert.Equal(old.Number, duringAck.Socket);
        await run.Handler.WaitHandledAsync(during);
        var slowAck = await run.Slack.WaitForAckAsync(slow);
        Assert.Equal(old.Number, slowAck.Socket);
        Assert.Null(slowAck.Payload);

        hold.SetResult();
        await old.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(old.ClosedByApp);
        var after = await fresh.PushAsync(SocketModeMessageTypes.EventsApi, AppMention(), acceptsResponsePayload: false);
        Assert.Equal(fresh.Number, (await run.Slack.WaitForAckAsync(after)).Socket);

        release.SetResult();
        Assert.True((await run.Handler.WaitHandledAsync(slow)).ViaResponseUrl);
        Assert.Equal(2, run.Slack.OpenCalls.Count);
        Assert.Equal(fresh.Ticket, run.Slack.OpenCalls.Last().Url![^fresh.Ticket.Length..]);
        Assert.Empty(run.Slack.Misses);
        Assert.True(run.Transport.IsConnected);
    }

    [Fact]
    public async Task An_abrupt_drop_is_followed_by_a_reconnect_with_backoff_and_the_next_envelope_is_handled()
    {
        await using var run = await SocketModeRun.StartAsync();
        var first = await run.ConnectedAsync();

        var droppedAt = DateTimeOffset.UtcNow;
        first.Drop();
        var second = await run.ConnectedAsync(2);

        var calls = run.Slack.OpenCalls.ToArray();
        Assert.Equal(2, calls.Length);
        // Equal jitter: at least half of the first step.
        Assert.True(calls[1].At - droppedAt >= run.Settings.ReconnectInitialDelay / 2 - TimeSpan.FromMilliseconds(20), $"reopened after {calls[1].At - droppedAt}");
        var id = await second.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true);
        Assert.NotNull((await run.Slack.WaitForAckAsync(id)).Payload);
        Assert.True((await run.Handler.WaitHandledAsync(id)).InlineTaken);
        Assert.Contains(run.Log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("ended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_connections_are_kept_and_each_envelope_is_acknowledged_on_the_connection_it_came_on()
    {
        await using var run = await SocketModeRun.StartAsync(s => new SocketModeSettings
        {
            AppToken = s.AppToken,
            ApiBaseUrl = s.ApiBaseUrl,
            Connections = 2,
            ConnectionStagger = TimeSpan.FromMilliseconds(100),
        });
        var first = await run.ConnectedAsync(1);
        var second = await run.ConnectedAsync(2);

        var one = await first.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true);
        var two = await second.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true);

        Assert.Equal(first.Number, (await run.Slack.WaitForAckAsync(one)).Socket);
        Assert.Equal(second.Number, (await run.Slack.WaitForAckAsync(two)).Socket);
        Assert.Equal(2, run.Slack.OpenCalls.Count);
        first.Drop();
        await first.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        // The other connection carries on while the lost one is replaced.
        var meanwhile = await second.PushAsync(SocketModeMessageTypes.EventsApi, AppMention(), acceptsResponsePayload: false);
        await run.Slack.WaitForAckAsync(meanwhile);
        await run.ConnectedAsync(3);
        Assert.Empty(run.Slack.Misses);
    }

    [Fact]
    public async Task A_disconnect_right_after_every_hello_is_followed_with_backoff_not_a_reconnect_storm()
    {
        await using var run = await SocketModeRun.StartAsync();
        // Slack says "too many websockets" (or a reason we do not know) as soon as each new socket is up, for 3 seconds.
        var until = DateTime.UtcNow.AddSeconds(3);
        var number = 1;
        while (DateTime.UtcNow < until)
        {
            FakeSlackSocket socket;
            try
            {
                var left = until - DateTime.UtcNow;
                socket = await run.Slack.WaitForSocketAsync(number, left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1));
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await socket.SendDisconnectAsync("too_many_websockets");
            number++;
        }

        // Backoff 200 ms, 400 ms, 800 ms, then 1 s (the test's ceiling): about five sockets in 3 s, where an immediate
        // replacement each time made one per round trip.
        Assert.InRange(run.Slack.Sockets.Count, 2, 7);
        Assert.InRange(run.Slack.OpenCalls.Count, 2, 7);
    }

    [Fact]
    public async Task Link_disabled_stops_the_transport_for_good_without_reconnecting()
    {
        await using var run = await SocketModeRun.StartAsync();
        var socket = await run.ConnectedAsync();

        await socket.SendDisconnectAsync(SocketModeMessageTypes.LinkDisabled);

        Assert.Equal(SocketModeStopReason.LinkDisabled, await run.Running.WaitAsync(TimeSpan.FromSeconds(15)));
        await socket.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Single(run.Slack.OpenCalls);
        Assert.Single(run.Slack.Sockets);
        Assert.False(run.Transport.IsConnected);
        Assert.Contains(run.Log.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("link_disabled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_app_token_never_connects_says_why_and_gives_up_after_bounded_retries()
    {
        await using var run = await SocketModeRun.StartAsync(s => new SocketModeSettings
        {
            AppToken = "xoxb-a-bot-token-by-mistake",
            ApiBaseUrl = s.ApiBaseUrl,
            Connections = 1,
            ReconnectInitialDelay = s.ReconnectInitialDelay,
            ReconnectMaxDelay = s.ReconnectMaxDelay,
            MaxAuthFailures = 3,
        });

        Assert.Equal(SocketModeStopReason.Unauthorized, await run.Running.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(3, run.Slack.OpenCalls.Count);
        Assert.Empty(run.Slack.Sockets);
        Assert.False(run.Transport.IsConnected);
        var errors = run.Log.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.Message).ToList();
        Assert.Equal(4, errors.Count);
        Assert.All(errors, m => Assert.Contains("invalid_auth", m, StringComparison.Ordinal));
        Assert.Contains("PgChatOps:Slack:AppToken", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain(run.Log.Lines, l => l.Message.Contains("xoxb-a-bot-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rate_limited_open_call_waits_for_retry_after()
    {
        var answered = 0;
        await using var run = await SocketModeRun.StartAsync(arrange: slack => slack.ScriptOpen = _ =>
            Interlocked.Increment(ref answered) == 1
                ? FakeAnswer.Json("""{"ok":false,"error":"ratelimited"}""", HttpStatusCode.TooManyRequests) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "1" } }
                : null);

        await run.ConnectedAsync();

        var calls = run.Slack.OpenCalls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {calls[1].At - calls[0].At}");
    }

    [Fact]
    public async Task A_redelivered_envelope_is_handled_once_and_acknowledged_each_time_with_the_same_answer()
    {
        await using var run = await SocketModeRun.StartAsync();
        var first = await run.ConnectedAsync();
        var id = await first.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true);
        var firstAck = await run.Slack.WaitForAckAsync(id);

        await first.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true, envelopeId: id, retryAttempt: 1);
        await run.Slack.WaitForAckAsync(id, occurrence: 2);
        first.Drop();
        var second = await run.ConnectedAsync(2);
        await second.PushAsync(SocketModeMessageTypes.SlashCommands, SlashCommand(), acceptsResponsePayload: true, envelopeId: id, retryAttempt: 2);
        var thirdAck = await run.Slack.WaitForAckAsync(id, occurrence: 3);

        Assert.Equal(1, run.Handler.TimesHandled(id));
        Assert.Equal(second.Number, thirdAck.Socket);
        Assert.Equal(firstAck.Payload!.ToJsonString(), thirdAck.Payload!.ToJsonString());
        Assert.Empty(run.Slack.Misses);
    }

    [Fact]
    public async Task A_connection_that_stops_answering_pings_is_replaced()
    {
        await using var run = await SocketModeRun.StartAsync(s => new SocketModeSettings
        {
            AppToken = s.AppToken,
            ApiBaseUrl = s.ApiBaseUrl,
            Connections = 1,
            ReconnectInitialDelay = s.ReconnectInitialDelay,
            ReconnectMaxDelay = s.ReconnectMaxDelay,
            KeepAliveInterval = TimeSpan.FromMilliseconds(200),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(600),
        });
        var first = await run.ConnectedAsync();

        first.FreezeAfterNextMessage();
        await run.Slack.WaitForAckAsync(await first.PushAsync(SocketModeMessageTypes.EventsApi, AppMention(), acceptsResponsePayload: false));

        var second = await run.ConnectedAsync(2);
        var id = await second.PushAsync(SocketModeMessageTypes.EventsApi, AppMention(), acceptsResponsePayload: false);
        Assert.Equal(second.Number, (await run.Slack.WaitForAckAsync(id)).Socket);
    }

    [Fact]
    public async Task Stopping_closes_the_connection_politely()
    {
        await using var run = await SocketModeRun.StartAsync();
        var socket = await run.ConnectedAsync();

        Assert.Equal(SocketModeStopReason.Cancelled, await run.StopAsync());

        await socket.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(socket.ClosedByApp);
        Assert.Single(run.Slack.OpenCalls);
    }
}
