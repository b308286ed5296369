using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Watch;
using PgChatOps.Slack.SocketMode;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

/// <summary>
/// The whole app in <c>Slack:Mode=socket</c> against a fake Slack that plays Socket Mode faithfully: what a Slack user
/// sees is what they see over HTTP, and nothing reaches the app but through the socket.
/// </summary>
public sealed class SocketModeAppTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> Rules() => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = "C123",
        ["Access:Rules:0:Users:0"] = "UALLOWED",
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
    };

    private static string Text(JsonNode node) => SlackKillFlowTests.Json(node);

    [Fact]
    public async Task Sessions_with_a_filter_is_answered_in_the_acknowledgement()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var mine = await sessions.OpenAsync();
        var other = await sessions.OpenAsync(user: "postgres");
        await using var app = await SocketModeApp.StartAsync(Rules());
        var socket = await app.ConnectedAsync(1);

        // A warm replica: the first command of a fresh process opens its pools.
        var warm = await socket.PushAsync(SocketModeMessageTypes.SlashCommands, app.Command("C123", "UALLOWED", "help", "warm"), acceptsResponsePayload: true);
        await app.Slack.WaitForAckAsync(warm);

        var id = await socket.PushAsync(SocketModeMessageTypes.SlashCommands,
            app.Command("C123", "UALLOWED", $"sessions user={sessions.Role}", "list"), acceptsResponsePayload: true);

        var ack = await app.Slack.WaitForAckAsync(id);
        output.WriteLine($"acknowledged after {ack.Delay.TotalMilliseconds:0} ms:\n{Text(ack.Raw)}");
        Assert.NotNull(ack.Payload);
        Assert.Equal("in_channel", ack.Payload!["response_type"]!.GetValue<string>());
        Assert.NotNull(ack.Payload["blocks"]);
        var text = Text(ack.Payload);
        Assert.Contains(mine.Pid.ToString(CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Pid.ToString(CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.True(ack.Delay < FakeSlackSocketMode.AckDeadline, $"acknowledged after {ack.Delay}");

        await app.App.DetachedWorkSettledAsync();
        Assert.Single(app.Slack.Acks, a => a.EnvelopeId == id);
        Assert.DoesNotContain(app.Slack.Requests, r => r.Path.StartsWith("/response/", StringComparison.Ordinal));
        Assert.Empty(app.Slack.Misses);
    }

    [Fact]
    public async Task A_kill_over_socket_mode_is_previewed_refused_for_a_stranger_executed_for_an_allowed_user_and_audited()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var pid = victim.Pid.ToString(CultureInfo.InvariantCulture);
        await using var app = await SocketModeApp.StartAsync(Rules());
        var socket = await app.ConnectedAsync(1);

        // 1. The preview, in the channel, with the two buttons.
        var command = await socket.PushAsync(SocketModeMessageTypes.SlashCommands, app.Command("C123", "UALLOWED", $"kill {pid}", "cmd"), acceptsResponsePayload: true);
        var preview = await app.AnswerAsync(command, "cmd");
        output.WriteLine("PREVIEW:\n" + Text(preview));
        Assert.Equal("in_channel", preview["response_type"]!.GetValue<string>());
        Assert.Contains(pid, Text(preview), StringComparison.Ordinal);
        var buttons = SlackKillFlowTests.Actions(preview)!["elements"]!.AsArray();
        var confirm = buttons.Single(b => b!["action_id"]!.GetValue<string>() == "pgchatops.confirm")!;
        Assert.Single(buttons, b => b!["action_id"]!.GetValue<string>() == "pgchatops.abort");
        var actionId = Guid.Parse(confirm["value"]!.GetValue<string>());

        // 2. A stranger clicks confirm: told privately, nothing happens.
        var stranger = await socket.PushAsync(SocketModeMessageTypes.Interactive,
            app.Click("C123", "USTRANGER", "pgchatops.confirm", actionId, "stranger", "1700000000.000100"), acceptsResponsePayload: false);
        Assert.Null((await app.Slack.WaitForAckAsync(stranger)).Payload);
        var refusal = await app.PostedToAsync("/response/stranger");
        Assert.Equal("ephemeral", refusal["response_type"]!.GetValue<string>());
        Assert.Equal("false", refusal["replace_original"]!.GetValue<string>());
        Assert.Contains("You may not confirm this", refusal["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // 3. The allowed user confirms: the backend is terminated and the preview replaced by the outcome.
        var click = await socket.PushAsync(SocketModeMessageTypes.Interactive,
            app.Click("C123", "UALLOWED", "pgchatops.confirm", actionId, "allowed", "1700000000.000100"), acceptsResponsePayload: false);
        await app.Slack.WaitForAckAsync(click);
        var outcome = await app.PostedToAsync("/response/allowed");
        output.WriteLine("OUTCOME:\n" + Text(outcome));
        Assert.Equal("true", outcome["replace_original"]!.GetValue<string>());
        Assert.Null(SlackKillFlowTests.Actions(outcome));
        Assert.Contains("Terminated 1 of 1 session", Text(outcome), StringComparison.Ordinal);
        Assert.Contains("uallowed", Text(outcome), StringComparison.Ordinal);
        for (var i = 0; i < 100 && await TestSessions.IsAliveAsync(victim); i++)
        {
            await Task.Delay(50);
        }
        Assert.False(await TestSessions.IsAliveAsync(victim));

        // 4. The audit channel gets the record, with the bot token.
        var audit = await app.PostedToAsync("/api/chat.postMessage", m => m["channel"]!.GetValue<string>() == SocketModeApp.AuditChannel);
        Assert.Contains("Terminated 1 of 1 session", audit["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var auditCall = app.Slack.Requests.First(r => r.Path == "/api/chat.postMessage" && r.Body.Contains(SocketModeApp.AuditChannel, StringComparison.Ordinal));
        Assert.Equal("Bearer " + SocketModeApp.BotToken, auditCall.Headers["Authorization"]);
        var rows = await AuditRows.ForActionAsync(await TestDatabase.ConnectionStringAsync(app.StateDatabase), actionId);
        Assert.Contains(rows, r => r.Pid == victim.Pid && r.Actor == "UALLOWED" && r.Outcome is not null);
        Assert.Empty(app.Slack.Misses);
    }

    [Fact]
    public async Task An_answer_that_cannot_ride_in_the_acknowledgement_still_reaches_the_user_through_response_url()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var mine = await sessions.OpenAsync();
        await using var app = await SocketModeApp.StartAsync(Rules());
        var socket = await app.ConnectedAsync(1);

        // An envelope that takes no response payload is acknowledged at once, before any answer can be ready.
        var id = await socket.PushAsync(SocketModeMessageTypes.SlashCommands,
            app.Command("C123", "UALLOWED", $"sessions user={sessions.Role}", "late"), acceptsResponsePayload: false);

        Assert.Null((await app.Slack.WaitForAckAsync(id)).Payload);
        var answer = await app.PostedToAsync("/response/late");
        Assert.Equal("in_channel", answer["response_type"]!.GetValue<string>());
        Assert.Contains(mine.Pid.ToString(CultureInfo.InvariantCulture), Text(answer), StringComparison.Ordinal);
        await app.App.DetachedWorkSettledAsync();
        Assert.Single(app.Slack.Requests, r => r.Path == "/response/late");
    }

    [Fact]
    public async Task An_app_mention_arrives_as_an_event_and_is_answered_in_its_thread()
    {
        await using var app = await SocketModeApp.StartAsync(Rules());
        var socket = await app.ConnectedAsync(1);

        var id = await socket.PushAsync(SocketModeMessageTypes.EventsApi, SocketModeApp.Mention("C123", "UALLOWED", "help", "1700000000.000300"), acceptsResponsePayload: false);

        Assert.Null((await app.Slack.WaitForAckAsync(id)).Payload);
        // Help is for the asker only: an ephemeral message in the mention's thread.
        var reply = await app.PostedToAsync("/api/chat.postEphemeral", m => m["channel"]?.GetValue<string>() == "C123");
        Assert.Equal("UALLOWED", reply["user"]!.GetValue<string>());
        Assert.Equal("1700000000.000300", reply["thread_ts"]!.GetValue<string>());
        Assert.Contains("sessions", Text(reply), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refresh_in_the_middle_of_a_command_loses_nothing_and_handles_nothing_twice()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var mine = await sessions.OpenAsync();
        var pg = await TestDatabase.GetAsync();
        // Every answer of the target comes a little late: a command outlives the acknowledgement.
        await using var slowTarget = TcpRelay.To(pg.Port, TimeSpan.FromMilliseconds(400));
        await using var app = await SocketModeApp.StartAsync(Rules(), targetConnectionString: slowTarget.ConnectionString(await TestDatabase.ConnectionStringAsync()));
        var old = await app.ConnectedAsync(1);

        var first = await old.PushAsync(SocketModeMessageTypes.SlashCommands,
            app.Command("C123", "UALLOWED", $"sessions user={sessions.Role}", "first"), acceptsResponsePayload: true);
        // Slack asks for a fresh connection while the command runs; the new one is slow to say hello.
        var hold = new TaskCompletionSource();
        app.Slack.HoldHello = hold;
        await old.SendDisconnectAsync(SocketModeMessageTypes.RefreshRequested);
        var fresh = await app.Slack.WaitForSocketAsync(2);
        // Until then the old socket is still the app's: a command sent on it is acknowledged on it.
        var secondPayload = app.Command("C123", "UALLOWED", $"sessions user={sessions.Role} state=idle", "second");
        var second = await old.PushAsync(SocketModeMessageTypes.SlashCommands, (JsonObject)secondPayload.DeepClone(), acceptsResponsePayload: true);
        Assert.Equal(old.Number, (await app.Slack.WaitForAckAsync(first)).Socket);
        Assert.Equal(old.Number, (await app.Slack.WaitForAckAsync(second)).Socket);

        hold.SetResult();
        await old.Ended.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(old.ClosedByApp, "the old socket was closed politely, after its acknowledgements");
        await app.ConnectedAsync(2);
        // Slack redelivers the second envelope on the new socket, as it does when it missed an acknowledgement.
        await fresh.PushAsync(SocketModeMessageTypes.SlashCommands, secondPayload, acceptsResponsePayload: true, envelopeId: second, retryAttempt: 1);
        var redelivered = await app.Slack.WaitForAckAsync(second, occurrence: 2);
        Assert.Equal(fresh.Number, redelivered.Socket);
        // Acknowledged as the first delivery was, and not run again.
        Assert.Equal((await app.Slack.WaitForAckAsync(second)).Payload?.ToJsonString(), redelivered.Payload?.ToJsonString());
        var third = await fresh.PushAsync(SocketModeMessageTypes.SlashCommands, app.Command("C123", "UALLOWED", "help", "third"), acceptsResponsePayload: true);

        var answers = new[] { await app.AnswerAsync(first, "first"), await app.AnswerAsync(second, "second"), await app.AnswerAsync(third, "third") };
        Assert.All(answers.Take(2), a => Assert.Contains(mine.Pid.ToString(CultureInfo.InvariantCulture), Text(a), StringComparison.Ordinal));
        Assert.Contains("sessions", Text(answers[2]), StringComparison.Ordinal);

        await app.App.DetachedWorkSettledAsync();
        output.WriteLine(string.Join("\n", app.Slack.Acks.Select(a => $"{a.EnvelopeId} on {a.Socket} after {a.Delay.TotalMilliseconds:0} ms: {a.Payload?["text"]}")));
        // Each command ran once: at most one response_url answer each, two sessions requests audited (help is not), no replay.
        foreach (var name in new[] { "first", "second", "third" })
        {
            Assert.True(app.Slack.Requests.Count(r => r.Path == "/response/" + name) <= 1, $"{name} answered more than once");
        }
        var state = await TestDatabase.ConnectionStringAsync(app.StateDatabase);
        Assert.Equal(2, await AuditRows.CountAsync(state, "actor_id = @a AND event = 'request'", ("a", "UALLOWED")));
        Assert.Equal(0, await AuditRows.CountAsync(state, "event = 'replayed'"));
        Assert.Equal(2, app.Slack.OpenCalls.Count);
        Assert.Empty(app.Slack.Misses);
    }

    [Fact]
    public async Task After_an_abrupt_drop_the_app_reconnects_by_itself_and_answers_the_next_command()
    {
        await using var app = await SocketModeApp.StartAsync(Rules());
        var first = await app.ConnectedAsync(1);

        first.Drop();
        var second = await app.ConnectedAsync(2);
        var id = await second.PushAsync(SocketModeMessageTypes.SlashCommands, app.Command("C123", "UALLOWED", "help", "after"), acceptsResponsePayload: true);

        var answer = await app.AnswerAsync(id, "after");
        Assert.Contains("sessions", Text(answer), StringComparison.Ordinal);
        Assert.Equal(2, app.Slack.OpenCalls.Count);
        Assert.Contains(app.Logs.Events, e => e.Level == LogLevel.Warning && e.Text.Contains("reconnecting", StringComparison.Ordinal));
        Assert.Empty(app.Slack.Misses);
    }

    [Theory]
    [InlineData("/slack/commands")]
    [InlineData("/slack/interactions")]
    [InlineData("/slack/events")]
    public async Task In_socket_mode_the_slack_endpoints_are_not_there_even_for_a_validly_signed_request(string path)
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        // A signing secret left over from HTTP mode must not bring the endpoints back.
        var settings = Rules();
        settings["Slack:SigningSecret"] = SlackFixture.Secret;
        await using var app = await SocketModeApp.StartAsync(settings);
        using var http = app.App.CreateClient();
        var client = new SlackClient(http, SlackFixture.Secret);
        var responseUrl = app.ResponseUrl("http");

        var response = path switch
        {
            "/slack/commands" => await client.CommandAsync("C123", "UALLOWED", $"kill {victim.Pid}", responseUrl),
            "/slack/interactions" => await client.ClickAsync("C123", "UALLOWED", "pgchatops.confirm", Guid.NewGuid(), responseUrl, "1700000000.000100"),
            _ => await client.MentionAsync("C123", "UALLOWED", $"kill {victim.Pid}", "1700000000.000400"),
        };

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await app.App.DetachedWorkSettledAsync();
        Assert.True(await TestSessions.IsAliveAsync(victim));
        Assert.Empty(app.Slack.Requests);
        Assert.Equal(0, await AuditRows.CountAsync(await TestDatabase.ConnectionStringAsync(app.StateDatabase), "actor_id = @a", ("a", "UALLOWED")));
    }

    [Fact]
    public async Task Readyz_says_ready_only_while_the_socket_is_connected_and_link_disabled_stops_it_for_good()
    {
        var hold = new TaskCompletionSource();
        await using var app = await SocketModeApp.StartAsync(waitForConnection: false, arrange: slack => slack.HoldHello = hold);
        using var http = app.App.CreateClient();
        await app.Slack.WaitForSocketAsync(1);

        var before = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var beforeBody = await before.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.StartsWith("not ready: slack socket mode: not connected", beforeBody, StringComparison.Ordinal);

        app.Slack.HoldHello = null;
        hold.SetResult();
        var socket = await app.ConnectedAsync(1);
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var readyBody = await ready.Content.ReadAsStringAsync();
        output.WriteLine(readyBody);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("slack socket mode: connected", readyBody, StringComparison.Ordinal);

        await socket.SendDisconnectAsync(SocketModeMessageTypes.LinkDisabled);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpResponseMessage after;
        while ((after = await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode != HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var afterBody = await after.Content.ReadAsStringAsync();
        output.WriteLine(afterBody);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        Assert.Contains("link_disabled", afterBody, StringComparison.Ordinal);
        var stopped = app.Logs.Events.Where(e => e.Level >= LogLevel.Error && e.Text.Contains("link_disabled", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(stopped);
        Assert.Single(app.Slack.OpenCalls);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }
}
