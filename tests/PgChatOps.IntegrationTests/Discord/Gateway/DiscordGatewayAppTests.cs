using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PgChatOps.Discord.Gateway;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

/// <summary>
/// The real app in <c>Discord:Mode=gateway</c> against <see cref="FakeDiscordGateway"/>: what a Discord user sees is
/// the same as over the HTTP endpoint, but everything arrives over the Gateway and every answer is an HTTP callback.
/// </summary>
public sealed class DiscordGatewayAppTests
{
    private const int Identify = 2, Resume = 6;

    private sealed class GatewayApp(FakeDiscordGateway fake, DiscordTestPlatform discord, TestApp app) : IAsyncDisposable
    {
        public FakeDiscordGateway Fake { get; } = fake;
        public DiscordTestPlatform Discord { get; } = discord;
        public TestApp App { get; } = app;
        public DiscordGatewayService Service => App.Services.GetRequiredService<DiscordGatewayService>();

        public static async Task<GatewayApp> StartAsync(Action<FakeDiscordGateway>? configure = null, Dictionary<string, string?>? extra = null, string? stateDatabase = null)
        {
            var fake = await FakeDiscordGateway.StartAsync();
            configure?.Invoke(fake);
            var discord = await DiscordTestPlatform.StartAsync();
            var settings = discord.Settings();
            settings["Discord:Mode"] = "gateway";
            settings["Discord:ApiBaseUrl"] = fake.ApiBaseUrl.AbsoluteUri;
            settings["Discord:ApplicationId"] = FakeDiscordGateway.ApplicationId;
            settings["Discord:BotToken"] = FakeDiscordGateway.Token;
            foreach (var (k, v) in extra ?? [])
            {
                settings[k] = v;
            }
            var app = await TestApp.CreateAsync(settings, services: s => s.Replace(ServiceDescriptor.Singleton(Timings(fake))), stateDatabase: stateDatabase);
            return new GatewayApp(fake, discord, app);
        }

        /// <summary>Protocol waits shrunk to milliseconds; the lease keeps its real shape, only faster.</summary>
        private static DiscordGatewayOptions Timings(FakeDiscordGateway fake) => GatewayTestRun.FastOptions(fake) with
        {
            NotConnectedFor = TimeSpan.FromSeconds(2),
            InvalidSessionDelayMin = TimeSpan.FromMilliseconds(200),
            InvalidSessionDelayMax = TimeSpan.FromMilliseconds(400),
            LeaseRenewInterval = TimeSpan.FromMilliseconds(250),
            LeaseTimeToLive = TimeSpan.FromSeconds(3),
        };

        public async Task<FakeGatewayConnection> ReadyAsync(int connection = 1)
        {
            var c = await Fake.WaitForConnectionAsync(connection);
            await FakeDiscordGateway.Until(() => Service.Status is { Ready: true } s && s.Connections == connection, TimeSpan.FromSeconds(20), $"the gateway session on connection {connection}");
            return c;
        }

        /// <summary>Sends INTERACTION_CREATE on <paramref name="connection"/> and returns the callback Discord got for it.</summary>
        public async Task<(JsonObject Body, TimeSpan After)> InteractAsync(FakeGatewayConnection connection, JsonObject interaction)
        {
            var path = $"/api/v10/interactions/{interaction["id"]}/{interaction["token"]}/callback";
            var sent = DateTimeOffset.UtcNow;
            await connection.DispatchAsync("INTERACTION_CREATE", interaction);
            await FakeDiscordGateway.Until(() => Fake.HttpRequests.Any(r => r.Method == "POST" && r.Path == path), TimeSpan.FromSeconds(15), "the interaction callback");
            var callback = Fake.HttpRequests.Single(r => r.Method == "POST" && r.Path == path);
            return (JsonNode.Parse(callback.Body)!.AsObject(), callback.At - sent);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Discord.DisposeAsync();
            await Fake.DisposeAsync();
        }
    }

    private static string Pid(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);

    private static string Content(JsonObject response) => response["data"]!["content"]!.GetValue<string>();

    private static bool IsEphemeral(JsonObject response) => response["data"]?["flags"]?.GetValue<int>() == 64;

    [Fact]
    public async Task Sessions_over_the_gateway_are_answered_through_the_interaction_callback_within_3_seconds()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        var busy = await sessions.OpenActiveAsync();
        await using var gw = await GatewayApp.StartAsync();
        var connection = await gw.ReadyAsync();
        var member = DiscordTestPlatform.Member("1800000000000000102", gw.Discord.OperatorRole);

        var (body, after) = await gw.InteractAsync(connection, gw.Discord.Command(member, "sessions", ("user", sessions.Role), ("state", "idle")));

        var identify = await connection.WaitForOpAsync(Identify);
        Assert.Equal(FakeDiscordGateway.Token, identify.D!["token"]!.GetValue<string>());
        Assert.Equal(0, identify.D["intents"]!.GetValue<int>());
        Assert.True(after < TimeSpan.FromSeconds(3), $"the callback came {after} after the dispatch");
        Assert.Equal(4, body["type"]!.GetValue<int>());
        Assert.False(IsEphemeral(body));
        Assert.StartsWith("1 session", Content(body), StringComparison.Ordinal);
        var table = body["data"]!["embeds"]![0]!["description"]!.GetValue<string>();
        Assert.Contains(Pid(idle), table, StringComparison.Ordinal);
        Assert.DoesNotContain(Pid(busy), table, StringComparison.Ordinal);
        var callback = gw.Fake.HttpRequests.Single(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.StartsWith("DiscordBot (", callback.Headers["User-Agent"], StringComparison.Ordinal);

        using var client = gw.App.CreateClient();
        var ready = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
        Assert.StartsWith("ready\n", ready, StringComparison.Ordinal);
        Assert.Contains("discord gateway: connected (this replica holds the lease", ready, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lease_holder_that_cannot_get_a_session_turns_unready_instead_of_looking_connected()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there any more: every connect is refused
        await using var gw = await GatewayApp.StartAsync(fake => fake.GatewayBotUrls.Enqueue($"ws://127.0.0.1:{port}/gateway"));
        using var client = gw.App.CreateClient();
        await FakeDiscordGateway.Until(() => gw.Service.IsHolding, TimeSpan.FromSeconds(10), "the lease");

        HttpStatusCode code;
        string body;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            await Task.Delay(200);
            using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            (code, body) = (ready.StatusCode, await ready.Content.ReadAsStringAsync());
        }
        while (code == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Contains("discord gateway: this replica holds the lease but has had no session for", body, StringComparison.Ordinal);
        Assert.Empty(gw.Fake.Connections);
    }

    [Fact]
    public async Task A_slow_read_over_the_gateway_is_deferred_and_the_thinking_message_edited_only_after_the_callback()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var gw = await GatewayApp.StartAsync(fake => fake.CallbackLatency = TimeSpan.FromSeconds(1), stateDatabase: state);
        var connection = await gw.ReadyAsync();
        var member = DiscordTestPlatform.Member("1800000000000000103", gw.Discord.OperatorRole);

        // The read is answered only once its audit record is written: hold the audit log past the inline window.
        await using var holder = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync(state));
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockLog = new Npgsql.NpgsqlCommand("LOCK TABLE pgchatops.audit_log IN ACCESS EXCLUSIVE MODE", holder, tx))
        {
            await lockLog.ExecuteNonQueryAsync();
        }
        var command = gw.Discord.Command(member, "sessions", ("user", sessions.Role));
        var token = command["token"]!.GetValue<string>();
        await connection.DispatchAsync("INTERACTION_CREATE", command);
        await FakeDiscordGateway.Until(() => gw.Fake.HttpRequests.Any(r => r.Path.EndsWith(token + "/callback", StringComparison.Ordinal)), null, "the deferral");
        // The work finishes while the deferral is still on its way: the edit must not overtake it.
        await tx.CommitAsync();
        await FakeDiscordGateway.Until(() => gw.Fake.HttpRequests.Any(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal)), null, "the edit");

        var callback = gw.Fake.HttpRequests.Single(r => r.Path.EndsWith(token + "/callback", StringComparison.Ordinal));
        var edit = gw.Fake.HttpRequests.Single(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal));
        Assert.Equal(5, JsonNode.Parse(callback.Body)!["type"]!.GetValue<int>());
        Assert.Equal($"/api/v10/webhooks/{DiscordTestPlatform.ApplicationId}/{token}/messages/@original", edit.Path);
        Assert.True(edit.At - callback.At >= TimeSpan.FromSeconds(0.9), $"the edit came {edit.At - callback.At} after the deferral was sent, before Discord had it");
        var message = JsonNode.Parse(edit.Body)!;
        Assert.StartsWith("1 session on test", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Pid(idle), message["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kill_over_the_gateway_needs_a_member_with_the_role_terminates_the_backend_and_posts_to_the_audit_channel()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenActiveAsync();
        await using var gw = await GatewayApp.StartAsync();
        var connection = await gw.ReadyAsync();
        var requester = DiscordTestPlatform.Member("1800000000000000106", gw.Discord.OperatorRole);
        var stranger = DiscordTestPlatform.Member("1800000000000000107", "1999999999999999998");
        var approver = DiscordTestPlatform.Member("1800000000000000108", gw.Discord.OperatorRole);

        // The preview: the whole channel sees which session, with confirm and abort buttons.
        var (preview, _) = await gw.InteractAsync(connection, gw.Discord.Command(requester, "kill", ("pid", victim.Pid)));
        Assert.Equal(4, preview["type"]!.GetValue<int>());
        Assert.False(IsEphemeral(preview));
        Assert.Contains(Pid(victim), preview["data"]!["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var buttons = preview["data"]!["components"]![0]!["components"]!.AsArray();
        var confirmId = buttons[0]!["custom_id"]!.GetValue<string>();
        Assert.StartsWith("pgchatops.confirm:", confirmId, StringComparison.Ordinal);
        Assert.StartsWith("pgchatops.abort:", buttons[1]!["custom_id"]!.GetValue<string>(), StringComparison.Ordinal);

        // A member without the role is refused privately, and nothing happens.
        var (refused, _) = await gw.InteractAsync(connection, gw.Discord.Click(stranger, confirmId));
        Assert.Equal(4, refused["type"]!.GetValue<int>());
        Assert.True(IsEphemeral(refused));
        Assert.Contains("may not confirm", Content(refused), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // A member with the role: the backend ends, and the message becomes the outcome without buttons.
        var click = gw.Discord.Click(approver, confirmId);
        var (outcome, _) = await gw.InteractAsync(connection, click);
        JsonNode message;
        if (outcome["type"]!.GetValue<int>() == 6)
        {
            var token = click["token"]!.GetValue<string>();
            await FakeDiscordGateway.Until(() => gw.Fake.HttpRequests.Any(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal)), null, "the outcome edit");
            message = JsonNode.Parse(gw.Fake.HttpRequests.First(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal)).Body)!;
        }
        else
        {
            Assert.Equal(7, outcome["type"]!.GetValue<int>());
            message = outcome["data"]!;
        }
        Assert.StartsWith("Terminated 1 of 1 session", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(message["components"]!.AsArray());
        Assert.False(await TestSessions.IsAliveAsync(victim));

        // The audit channel gets the record, sent with the bot token.
        var auditPath = $"/api/v10/channels/{DiscordTestPlatform.AuditChannel}/messages";
        await FakeDiscordGateway.Until(() => gw.Fake.HttpRequests.Any(r => r.Method == "POST" && r.Path == auditPath), null, "the audit channel post");
        var post = gw.Fake.HttpRequests.First(r => r.Method == "POST" && r.Path == auditPath);
        Assert.Equal("Bot " + FakeDiscordGateway.Token, post.Headers["Authorization"]);
        var record = JsonNode.Parse(post.Body)!;
        Assert.StartsWith("Terminated 1 of 1 session", record["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Pid(victim), record["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_op_7_the_bot_resumes_its_session_and_the_next_command_is_answered()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        await using var gw = await GatewayApp.StartAsync();
        var first = await gw.ReadyAsync();
        var member = DiscordTestPlatform.Member("1800000000000000110", gw.Discord.OperatorRole);
        await gw.InteractAsync(first, gw.Discord.Command(member, "help"));
        var lastSeen = gw.Fake.Sessions["session-1"].LastSequence;

        await first.SendReconnectAsync();
        var second = await gw.ReadyAsync(2);

        var resume = await second.WaitForOpAsync(Resume);
        Assert.Equal("/resume", second.Path);
        Assert.Equal("session-1", resume.D!["session_id"]!.GetValue<string>());
        Assert.Equal(lastSeen, resume.D["seq"]!.GetValue<int>());
        Assert.DoesNotContain(second.Received, f => f.Op == Identify);
        var (body, _) = await gw.InteractAsync(second, gw.Discord.Command(member, "sessions", ("user", sessions.Role)));
        Assert.StartsWith("1 session", Content(body), StringComparison.Ordinal);
        Assert.Contains(Pid(idle), body["data"]!["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_heartbeat_ACK_makes_the_bot_reconnect_and_resume_and_commands_still_work()
    {
        await using var gw = await GatewayApp.StartAsync(fake => fake.HeartbeatIntervalMs = 400);
        var first = await gw.ReadyAsync();
        var member = DiscordTestPlatform.Member("1800000000000000111", gw.Discord.OperatorRole);

        gw.Fake.AckHeartbeats = false;
        var second = await gw.Fake.WaitForConnectionAsync(2);
        gw.Fake.AckHeartbeats = true;
        await gw.ReadyAsync(2);

        var closed = await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(closed is null or not (1000 or 1001), $"the zombie connection was closed with {closed}, which would end the session");
        Assert.Equal("session-1", (await second.WaitForOpAsync(Resume)).D!["session_id"]!.GetValue<string>());
        var (body, _) = await gw.InteractAsync(second, gw.Discord.Command(member, "help"));
        Assert.Equal(4, body["type"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_4004_stops_the_gateway_with_a_clear_error_and_no_reconnect_loop()
    {
        // The token still reads gateway/bot but the Gateway refuses it (a token reset): Identify is closed with 4004.
        await using var gw = await GatewayApp.StartAsync(fake => fake.GatewayAcceptedToken = "a-token-reset-since");
        using var client = gw.App.CreateClient();

        await FakeDiscordGateway.Until(() => gw.Service.ExecuteTask?.IsCompleted == true, TimeSpan.FromSeconds(20), "the gateway service to stop");
        using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.StartsWith("not ready: discord gateway: stopped for good: Discord closed the Gateway with 4004", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // One connection, one Identify, one gateway/bot: the service has ended, so nothing will ever try again.
        Assert.Single(gw.Fake.Connections);
        Assert.Single(gw.Fake.HttpRequests, r => r.Path == "/api/v10/gateway/bot");
        Assert.Null(gw.Fake.Connection(1).Received.Where(f => f.Op == Identify).Skip(1).FirstOrDefault());
        // The lease is given up, so a replica with a fixed token can take over without waiting for it to expire.
        Assert.Equal(0L, await LiveLeasesAsync(StateDatabase(gw.App)));
    }

    [Fact]
    public async Task In_gateway_mode_a_validly_signed_request_to_the_interactions_endpoint_gets_404_and_does_nothing()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenActiveAsync();
        await using var gw = await GatewayApp.StartAsync();
        await gw.ReadyAsync();
        using var client = gw.App.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000112", gw.Discord.OperatorRole);

        using var request = gw.Discord.SignedRequest(gw.Discord.Command(member, "kill", ("pid", victim.Pid)).ToJsonString());
        using var response = await client.SendAsync(request);
        await gw.App.DetachedWorkSettledAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>("SELECT count(*) FROM pgchatops.audit_log", StateDatabase(gw.App)));
        Assert.DoesNotContain(gw.Fake.HttpRequests, r => r.Method is "POST" or "PATCH");
    }

    [Fact]
    public async Task A_graceful_stop_ends_the_session_and_releases_the_lease_at_once()
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var gw = await GatewayApp.StartAsync(stateDatabase: state);
        FakeGatewayConnection connection;
        try
        {
            connection = await gw.ReadyAsync();
            Assert.Equal(1L, await LiveLeasesAsync(state));
        }
        finally
        {
            await gw.App.DisposeAsync();
        }

        Assert.Equal(1000, await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0L, await LiveLeasesAsync(state));
        await gw.Discord.DisposeAsync();
        await gw.Fake.DisposeAsync();
    }

    [Fact]
    public async Task A_holder_whose_lease_was_taken_disconnects_and_connects_again_once_it_gets_the_lease_back()
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var gw = await GatewayApp.StartAsync(stateDatabase: state);
        var first = await gw.ReadyAsync();
        using var client = gw.App.CreateClient();

        // Another replica holds the lease now (say this one's renewals were stuck past the TTL): two sessions must never run.
        await TestDatabase.ScalarAsync<int>(
            "UPDATE pgchatops.watch_lease SET holder = 'another-replica', expires_at = now() + interval '1 hour' WHERE name LIKE 'discord-gateway:%' RETURNING 1", state);
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await FakeDiscordGateway.Until(() => !gw.Service.IsHolding, null, "the replica to let go");
        var standby = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Contains("discord gateway: standby (held by another-replica)", standby, StringComparison.Ordinal);
        Assert.Single(gw.Fake.Connections);

        await TestDatabase.ScalarAsync<int>(
            "UPDATE pgchatops.watch_lease SET expires_at = now() - interval '1 second' WHERE name LIKE 'discord-gateway:%' RETURNING 1", state);
        var second = await gw.ReadyAsync(2);
        Assert.NotNull(await second.WaitForOpAsync(Identify));
    }

    private static Task<long> LiveLeasesAsync(string state) => TestDatabase.ScalarAsync<long>(
        "SELECT count(*) FROM pgchatops.watch_lease WHERE name LIKE 'discord-gateway:%' AND expires_at >= now()", state);

    private static string StateDatabase(TestApp app) =>
        new Npgsql.NpgsqlConnectionStringBuilder(app.Settings["PgChatOps:StateConnectionString"]).Database!;
}
