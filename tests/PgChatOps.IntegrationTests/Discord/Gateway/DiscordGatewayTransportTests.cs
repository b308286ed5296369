using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PgChatOps.Discord.Gateway;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

public sealed class DiscordGatewayTransportTests
{
    private const int Heartbeat = 1, Identify = 2, Resume = 6;

    private static async Task WaitReadyAsync(GatewayTestRun run, string? sessionId = null) =>
        await FakeDiscordGateway.Until(
            () => run.Transport.Status is { Ready: true } s && (sessionId is null || s.SessionId == sessionId),
            null, "the transport to be ready" + (sessionId is null ? "" : " on " + sessionId));

    private static int? HeartbeatSequence(GatewayFrame frame) => frame.D is null ? null : frame.D.GetValue<int>();

    [Fact]
    public async Task A_gateway_url_that_is_not_wss_never_gets_the_token_and_gateway_bot_is_asked_again()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var plain = await FakeDiscordGateway.StartAsync(); // listens where the bad URL points
        fake.GatewayBotUrls.Enqueue(plain.ApiBaseUrl.AbsoluteUri.Replace("/api/v10/", "/gateway", StringComparison.Ordinal)); // http://…: not a socket URL
        await using var run = new GatewayTestRun(fake);
        run.Start();

        var connection = await fake.WaitForConnectionAsync(1, TimeSpan.FromSeconds(30));
        await connection.WaitForOpAsync(Identify);
        await WaitReadyAsync(run);

        Assert.Empty(plain.Connections);
        Assert.Empty(plain.HttpRequests);
        Assert.Equal(2, fake.HttpRequests.Count(r => r.Path == "/api/v10/gateway/bot"));
        Assert.Contains(run.Logs.Events, e => e.Text.Contains("not a wss:// URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Identify_and_READY_then_an_interaction_reaches_the_handler_which_answers_over_HTTP()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake);
        using var http = new HttpClient { BaseAddress = fake.ApiBaseUrl };
        var settings = new PgChatOps.Hosting.PgChatOpsOptions();
        settings.Discord.BotToken = FakeDiscordGateway.Token;
        var api = new PgChatOps.Discord.DiscordApiClient(http, new PgChatOps.Discord.DiscordRateLimits(TimeProvider.System),
            Microsoft.Extensions.Options.Options.Create(settings), TimeProvider.System, NullLogger<PgChatOps.Discord.DiscordApiClient>.Instance);
        run.Handler.OnInteraction = (interaction, ct) => api.RespondToInteractionAsync(
            interaction.GetProperty("id").GetString()!, interaction.GetProperty("token").GetString()!,
            new System.Text.Json.Nodes.JsonObject { ["type"] = 4, ["data"] = new System.Text.Json.Nodes.JsonObject { ["content"] = "pong" } }, ct);
        run.Start();

        var connection = await fake.WaitForConnectionAsync(1);
        var identify = await connection.WaitForOpAsync(Identify);
        await WaitReadyAsync(run);
        var s = await connection.DispatchInteractionAsync("1001");
        await run.Handler.WaitForAsync("1001");
        await FakeDiscordGateway.Until(() => fake.HttpRequests.Any(r => r.Method == "POST"), null, "the callback");

        var gatewayBot = fake.HttpRequests.First(r => r.Path == "/api/v10/gateway/bot");
        Assert.Equal("Bot " + FakeDiscordGateway.Token, gatewayBot.Headers["Authorization"]);
        Assert.StartsWith("DiscordBot (", gatewayBot.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal("/gateway", connection.Path);
        Assert.Equal("?v=10&encoding=json", connection.Query);
        Assert.Equal(FakeDiscordGateway.Token, identify.D!["token"]!.GetValue<string>());
        Assert.Equal(0, identify.D["intents"]!.GetValue<int>());
        Assert.Equal("pgchatops", identify.D["properties"]!["browser"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(identify.D["properties"]!["os"]!.GetValue<string>()));

        var status = run.Transport.Status;
        Assert.Equal("session-1", status.SessionId);
        Assert.Equal(FakeDiscordGateway.ApplicationId, status.ApplicationId);
        Assert.Equal(s, status.LastSequence);

        var answer = fake.HttpRequests.Single(r => r.Method == "POST");
        Assert.Equal("/api/v10/interactions/1001/interaction-token-1001/callback", answer.Path);
        Assert.Equal(4, JsonDocument.Parse(answer.Body).RootElement.GetProperty("type").GetInt32());
        Assert.StartsWith("application/json", answer.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.DoesNotContain(run.Logs.Events, e => e.Text.Contains(FakeDiscordGateway.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Heartbeats_carry_the_last_sequence_number_and_are_acknowledged()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        fake.HeartbeatIntervalMs = 300;
        await using var run = new GatewayTestRun(fake).Start();
        var connection = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        var s = await connection.DispatchInteractionAsync("1101");
        var beat = await connection.WaitForAsync(f => f.Op == Heartbeat && HeartbeatSequence(f) == s, what: $"a heartbeat with d={s}");
        await FakeDiscordGateway.Until(() => run.Transport.Status.LastHeartbeatAck is not null, null, "an ACK");

        Assert.Equal(s, HeartbeatSequence(beat));
        var beats = connection.Received.Where(f => f.Op == Heartbeat).ToList();
        // Every beat carries the newest s seen at the time: never a number the server has not sent.
        Assert.All(beats, b => Assert.True(HeartbeatSequence(b) is null or <= 2));
        Assert.Single(fake.Connections);
    }

    [Fact]
    public async Task Reconnect_opcode_resumes_on_the_resume_url_with_the_session_id_and_last_sequence()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);
        var seen = await first.DispatchInteractionAsync("2001");
        await run.Handler.WaitForAsync("2001");
        var session = first.Session!;

        // 2002 is dispatched while the bot is away: it must come back in the replay.
        session.Miss("INTERACTION_CREATE", FakeDiscordGateway.Interaction("2002"));
        await first.SendReconnectAsync();
        var second = await fake.WaitForConnectionAsync(2);
        var resume = await second.WaitForOpAsync(Resume);
        await run.Handler.WaitForAsync("2002");
        await WaitReadyAsync(run);
        await second.DispatchInteractionAsync("2003");
        await run.Handler.WaitForAsync("2003");

        Assert.Equal(4000, await first.Closed.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("/resume", second.Path);
        Assert.Equal("?v=10&encoding=json", second.Query);
        Assert.Equal(session.Id, resume.D!["session_id"]!.GetValue<string>());
        Assert.Equal(seen, resume.D["seq"]!.GetValue<int>());
        Assert.Equal(FakeDiscordGateway.Token, resume.D["token"]!.GetValue<string>());
        Assert.DoesNotContain(second.Received, f => f.Op == Identify);
        Assert.Equal(session.Id, run.Transport.Status.SessionId);
        Assert.Equal(["2001", "2002", "2003"], run.Handler.Interactions.Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_missing_heartbeat_ack_closes_the_zombie_connection_with_4000_and_resumes()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        fake.HeartbeatIntervalMs = 200;
        fake.AckHeartbeats = false;
        await using var run = new GatewayTestRun(fake).Start();
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        var second = await fake.WaitForConnectionAsync(2);
        fake.AckHeartbeats = true;
        var resume = await second.WaitForOpAsync(Resume);
        await WaitReadyAsync(run);
        await second.DispatchInteractionAsync("3001");
        await run.Handler.WaitForAsync("3001");

        Assert.Equal(4000, await first.Closed.WaitAsync(TimeSpan.FromSeconds(5)));
        // One unanswered beat, then the next tick finds no ACK and closes instead of beating again.
        Assert.Single(first.Received, f => f.Op == Heartbeat);
        Assert.Equal("/resume", second.Path);
        Assert.Equal(first.Session!.Id, resume.D!["session_id"]!.GetValue<string>());
        Assert.Contains(run.Logs.Events, e => e.Level == LogLevel.Warning && e.Text.Contains("no heartbeat ACK", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_session_not_resumable_waits_then_identifies_anew_on_the_gateway_bot_url()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run, "session-1");

        var invalidatedAt = DateTimeOffset.UtcNow;
        await first.SendInvalidSessionAsync(resumable: false);
        var second = await fake.WaitForConnectionAsync(2);
        await second.WaitForOpAsync(Identify);
        await WaitReadyAsync(run, "session-2");
        await second.DispatchInteractionAsync("4001");
        await run.Handler.WaitForAsync("4001");

        Assert.Equal("/gateway", second.Path);
        Assert.Equal("?v=10&encoding=json", second.Query);
        Assert.DoesNotContain(second.Received, f => f.Op == Resume);
        Assert.True(second.ConnectedAt - invalidatedAt >= run.Options.InvalidSessionDelayMin - TimeSpan.FromMilliseconds(20),
            $"reconnected after {(second.ConnectedAt - invalidatedAt).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Invalid_session_resumable_resumes()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        await first.SendInvalidSessionAsync(resumable: true);
        var second = await fake.WaitForConnectionAsync(2);
        var resume = await second.WaitForOpAsync(Resume);

        Assert.Equal("/resume", second.Path);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Authentication_failed_close_stops_with_a_clear_error_and_never_reconnects()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        fake.GatewayAcceptedToken = "a-token-that-was-reset";
        await using var run = new GatewayTestRun(fake).Start();

        var error = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => run.Running.WaitAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(run.Options.ReconnectDelayMax * 2);

        Assert.Equal(4004, error.CloseCode);
        Assert.Contains("4004", error.Message, StringComparison.Ordinal);
        Assert.Contains("Discord:BotToken", error.Message, StringComparison.Ordinal);
        Assert.Single(fake.Connections);
        Assert.Equal(error.Message, run.Transport.Status.FatalError);
        Assert.False(run.Transport.Status.Ready);
        Assert.Contains(run.Logs.Events, e => e.Level == LogLevel.Critical && e.Text.Contains("4004", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(4010)]
    [InlineData(4011)]
    [InlineData(4012)]
    [InlineData(4013)]
    [InlineData(4014)]
    public async Task Every_close_code_discord_marks_not_reconnectable_stops_the_transport(int code)
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var connection = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        await connection.CloseAsync(code);
        var error = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => run.Running.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(code, error.CloseCode);
        Assert.Single(fake.Connections);
    }

    [Fact]
    public async Task A_rejected_bot_token_at_gateway_bot_stops_before_connecting()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        fake.AcceptedToken = "another-token";
        await using var run = new GatewayTestRun(fake).Start();

        var error = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => run.Running.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Connections);
        Assert.Single(fake.HttpRequests);
    }

    [Fact]
    public async Task A_server_heartbeat_request_is_answered_at_once_with_the_last_sequence()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        // So long that the timer is (almost surely) not what answers.
        fake.HeartbeatIntervalMs = 120_000;
        await using var run = new GatewayTestRun(fake).Start();
        var connection = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);
        var before = connection.Received.Count(f => f.Op == Heartbeat);

        var asked = DateTimeOffset.UtcNow;
        await connection.RequestHeartbeatAsync();
        await FakeDiscordGateway.Until(() => connection.Received.Count(f => f.Op == Heartbeat) > before, TimeSpan.FromSeconds(5), "the answer to op 1");
        var beat = connection.Received.Last(f => f.Op == Heartbeat);

        // Far sooner than the 2-minute interval (the bound leaves room for a loaded test machine).
        Assert.True(beat.At - asked < TimeSpan.FromSeconds(3), $"answered after {(beat.At - asked).TotalMilliseconds} ms");
        Assert.Equal(1, HeartbeatSequence(beat));
    }

    [Theory]
    [InlineData(4007)]
    [InlineData(4009)]
    public async Task A_close_code_that_ends_the_session_starts_a_new_one(int code)
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run, "session-1");

        await first.CloseAsync(code);
        var second = await fake.WaitForConnectionAsync(2);
        await second.WaitForOpAsync(Identify);
        await WaitReadyAsync(run, "session-2");

        Assert.Equal("/gateway", second.Path);
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(4008)]
    [InlineData(1001)]
    public async Task Other_close_codes_resume(int code)
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        await first.CloseAsync(code);
        var second = await fake.WaitForConnectionAsync(2);
        var resume = await second.WaitForOpAsync(Resume);

        Assert.Equal("/resume", second.Path);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_slow_handler_holds_up_neither_heartbeats_nor_other_interactions()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        fake.HeartbeatIntervalMs = 400;
        await using var run = new GatewayTestRun(fake);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.Handler.OnInteraction = (interaction, ct) => interaction.GetProperty("id").GetString() == "slow" ? release.Task.WaitAsync(ct) : Task.CompletedTask;
        run.Start();
        var connection = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        await connection.DispatchInteractionAsync("slow");
        await run.Handler.WaitForAsync("slow");
        var beats = connection.Received.Count(f => f.Op == Heartbeat);
        await connection.DispatchInteractionAsync("fast");
        await run.Handler.WaitForAsync("fast");
        await FakeDiscordGateway.Until(() => connection.Received.Count(f => f.Op == Heartbeat) >= beats + 3, null, "three more heartbeats");
        release.SetResult();

        Assert.Single(fake.Connections);
    }

    [Fact]
    public async Task Stopping_ends_the_session_with_a_normal_close()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start();
        var connection = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);

        await run.StopAsync();

        Assert.Equal(1000, await connection.Closed.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(run.Transport.Status.Ready);
        Assert.Null(run.Transport.Status.SessionId);
        Assert.True(run.Running.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Stopping_to_keep_the_session_closes_with_4000_and_the_next_run_resumes_it()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        await using var run = new GatewayTestRun(fake).Start(GatewayStop.KeepResumable);
        var first = await fake.WaitForConnectionAsync(1);
        await WaitReadyAsync(run);
        await first.DispatchInteractionAsync("5001");
        await run.Handler.WaitForAsync("5001");

        await run.StopAsync();
        Assert.Equal(4000, await first.Closed.WaitAsync(TimeSpan.FromSeconds(5)));
        run.Start();
        var second = await fake.WaitForConnectionAsync(2);
        var resume = await second.WaitForOpAsync(Resume);

        Assert.Equal("/resume", second.Path);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
        Assert.Equal(2, resume.D["seq"]!.GetValue<int>());
    }

    [Fact]
    public async Task With_no_session_starts_left_it_waits_for_the_reset_before_identifying()
    {
        await using var fake = await FakeDiscordGateway.StartAsync();
        fake.SessionStartsRemaining = 0;
        fake.SessionStartResetAfterMs = 800;
        var started = DateTimeOffset.UtcNow;
        await using var run = new GatewayTestRun(fake).Start();

        await FakeDiscordGateway.Until(() => run.Logs.Events.Any(e => e.Text.Contains("no session starts left", StringComparison.Ordinal)), null, "the log line");
        Assert.Empty(fake.Connections);
        fake.SessionStartsRemaining = 5;
        var connection = await fake.WaitForConnectionAsync(1);
        await connection.WaitForOpAsync(Identify);

        Assert.True(connection.ConnectedAt - started >= TimeSpan.FromMilliseconds(780), $"connected after {(connection.ConnectedAt - started).TotalMilliseconds} ms");
        Assert.Contains(run.Logs.Events, e => e.Level == LogLevel.Error && e.Text.Contains("no session starts left", StringComparison.Ordinal));
    }
}
