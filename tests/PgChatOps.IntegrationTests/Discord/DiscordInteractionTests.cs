using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using PgChatOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Discord;

public sealed class DiscordInteractionTests(ITestOutputHelper output)
{
    private static async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(HttpClient client, DiscordTestPlatform discord, JsonObject interaction)
    {
        using var request = discord.SignedRequest(interaction.ToJsonString());
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(text)!.AsObject() : null);
    }

    private static string Content(JsonObject response) => response["data"]!["content"]!.GetValue<string>();

    private static string Description(JsonObject response) => response["data"]!["embeds"]![0]!["description"]?.GetValue<string>() ?? "";

    private static bool IsEphemeral(JsonObject response) => response["data"]?["flags"]?.GetValue<int>() == 64;

    private static string Pid(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Ping_gets_pong()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();

        using var request = discord.SignedRequest("""{"id":"1","application_id":"1","type":1,"token":"t","version":1}""");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"type":1}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unverified_requests_get_401_and_do_nothing()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var app = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000001", discord.OperatorRole);
        var kill = discord.Command(member, "kill", ("pid", victim.Pid)).ToJsonString();

        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = new StringContent(kill) };
        using var otherKey = Key.Create(SignatureAlgorithm.Ed25519);
        using var wrongKey = discord.SignedRequest(kill, key: otherKey);
        using var tampered = discord.SignedRequest(kill);
        tampered.Content = new StringContent(kill.Replace(Pid(victim), "1", StringComparison.Ordinal));
        using var stale = discord.SignedRequest(kill, DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var pingWithSignatureOfAnother = discord.SignedRequest("""{"type":1}""");
        using var swapped = discord.SignedRequest(kill);
        swapped.Headers.Remove("X-Signature-Ed25519");
        swapped.Headers.Add("X-Signature-Ed25519", pingWithSignatureOfAnother.Headers.GetValues("X-Signature-Ed25519"));
        pingWithSignatureOfAnother.Dispose();

        foreach (var request in new[] { unsigned, wrongKey, tampered, stale, swapped })
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var huge = discord.SignedRequest(new string(' ', 70_000) + kill);
        using var hugeResponse = await client.SendAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeResponse.StatusCode);

        // Nothing happened: nothing was audited, nothing was posted, the session lives.
        Task<long> AuditedAsync() => TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pgchatops.audit_log WHERE channel = @channel", state, ("channel", discord.Channel));
        Assert.Equal(0, await AuditedAsync());
        Assert.Empty(discord.Api.Requests);
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // The same command, properly signed, is recorded: the count above could have been non-zero.
        var (status, body) = await SendAsync(client, discord, discord.Command(member, "kill", ("pid", victim.Pid)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, body!["type"]!.GetValue<int>());
        Assert.True(await AuditedAsync() > 0);
    }

    [Fact]
    public async Task Sessions_with_options_lists_the_matching_sessions_in_the_channel()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        var busy = await sessions.OpenActiveAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000002", discord.OperatorRole);

        var (status, body) = await SendAsync(client, discord, discord.Command(member, "sessions", ("user", sessions.Role), ("state", "idle"), ("limit", 10)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, body!["type"]!.GetValue<int>());
        Assert.False(IsEphemeral(body));
        Assert.StartsWith("1 session", Content(body), StringComparison.Ordinal);
        Assert.Contains(Pid(idle), Description(body), StringComparison.Ordinal);
        Assert.DoesNotContain(Pid(busy), Description(body), StringComparison.Ordinal);
        Assert.Empty(body["data"]!["allowed_mentions"]!["parse"]!.AsArray());
    }

    [Fact]
    public async Task Help_errors_and_denials_are_ephemeral()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var outsider = DiscordTestPlatform.Member("1800000000000000003", "1999999999999999999");
        var member = DiscordTestPlatform.Member("1800000000000000004", discord.OperatorRole);

        var (_, help) = await SendAsync(client, discord, discord.Command(outsider, "help"));
        var (_, denied) = await SendAsync(client, discord, discord.Command(outsider, "sessions"));
        var (_, error) = await SendAsync(client, discord, discord.Command(member, "sessions", ("longer", "forever")));

        Assert.True(IsEphemeral(help!));
        Assert.Contains("/pg", Content(help!), StringComparison.Ordinal);
        Assert.True(IsEphemeral(denied!));
        Assert.Contains("Not allowed", Content(denied!), StringComparison.Ordinal);
        Assert.True(IsEphemeral(error!));
        Assert.Contains("forever", Content(error!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_read_is_deferred_and_its_error_completed_privately_through_the_webhook()
    {
        // A "server" that accepts connections and never answers: the read takes the full connect timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                held.Add(await silent.AcceptTcpClientAsync());
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings(),
            targetConnectionString: $"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Database=postgres;Pooling=false");
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000005", discord.OperatorRole);
        var command = discord.Command(member, "sessions", ("db", "shop"));
        var token = command["token"]!.GetValue<string>();

        var clock = Stopwatch.StartNew();
        var (status, body) = await SendAsync(client, discord, command);
        var answeredAfter = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5, body!["type"]!.GetValue<int>());
        Assert.True(answeredAfter < TimeSpan.FromSeconds(3), $"answered after {answeredAfter}");

        // The error is for the requester only: the public "thinking" message goes, an ephemeral follow-up comes.
        var followUp = await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/webhooks/{DiscordTestPlatform.ApplicationId}/{token}", TimeSpan.FromSeconds(20));
        var deleted = Assert.Single(discord.Api.Requests, r => r.Method == "DELETE");
        Assert.Equal($"/webhooks/{DiscordTestPlatform.ApplicationId}/{token}/messages/@original", deleted.Path);
        Assert.True(deleted.At <= followUp.At);
        Assert.DoesNotContain(discord.Api.Requests, r => r.Method == "PATCH");
        var message = JsonNode.Parse(followUp.Body)!;
        Assert.Contains("Could not get an answer from test", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(64, message["flags"]!.GetValue<int>() & 64);
        Assert.StartsWith("DiscordBot (", followUp.Headers["User-Agent"], StringComparison.Ordinal);
        silent.Stop();
        held.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_kill_needs_a_confirmation_from_a_member_with_the_role_and_runs_once()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenActiveAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var requester = DiscordTestPlatform.Member("1800000000000000006", discord.OperatorRole);
        var stranger = DiscordTestPlatform.Member("1800000000000000007", "1999999999999999998");
        var approver = DiscordTestPlatform.Member("1800000000000000008", "1999999999999999997", discord.OperatorRole);

        // The command: a confirmation the whole channel sees, naming the session, with two buttons.
        var (_, confirmation) = await SendAsync(client, discord, discord.Command(requester, "kill", ("pid", victim.Pid)));
        output.WriteLine("Confirmation response:\n" + confirmation!.ToJsonString(new(PgChatOps.Discord.DiscordRenderer.Json) { WriteIndented = true }));
        Assert.Equal(4, confirmation["type"]!.GetValue<int>());
        Assert.False(IsEphemeral(confirmation));
        Assert.Contains(Pid(victim), Description(confirmation), StringComparison.Ordinal);
        var buttons = confirmation["data"]!["components"]![0]!["components"]!.AsArray();
        var confirmId = buttons[0]!["custom_id"]!.GetValue<string>();
        Assert.StartsWith("pgchatops.confirm:", confirmId, StringComparison.Ordinal);
        Assert.Equal(4, buttons[0]!["style"]!.GetValue<int>());
        Assert.StartsWith("pgchatops.abort:", buttons[1]!["custom_id"]!.GetValue<string>(), StringComparison.Ordinal);

        // A member without the role: told why, privately; nothing happens.
        var (_, refused) = await SendAsync(client, discord, discord.Click(stranger, confirmId));
        Assert.Equal(4, refused!["type"]!.GetValue<int>());
        Assert.True(IsEphemeral(refused));
        Assert.Contains("may not confirm", Content(refused), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));

        // A member with the role: the backend ends and the message becomes the outcome, without buttons.
        var confirmClick = discord.Click(approver, confirmId);
        var (_, outcome) = await SendAsync(client, discord, confirmClick);
        JsonNode outcomeMessage;
        if (outcome!["type"]!.GetValue<int>() == 6)
        {
            var token = confirmClick["token"]!.GetValue<string>();
            var edit = await discord.Api.WaitForAsync(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal));
            outcomeMessage = JsonNode.Parse(edit.Body)!;
        }
        else
        {
            Assert.Equal(7, outcome["type"]!.GetValue<int>());
            outcomeMessage = outcome["data"]!;
        }
        output.WriteLine("Outcome response:\n" + outcome.ToJsonString(new(PgChatOps.Discord.DiscordRenderer.Json) { WriteIndented = true }));
        Assert.StartsWith("Terminated 1 of 1 session", outcomeMessage["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(outcomeMessage["components"]!.AsArray());
        Assert.False(await TestSessions.IsAliveAsync(victim));

        // The audit channel gets the record, sent with the bot token.
        var post = await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/channels/{DiscordTestPlatform.AuditChannel}/messages");
        Assert.Equal($"Bot {DiscordTestPlatform.BotToken}", post.Headers["Authorization"]);
        Assert.Equal("DiscordBot (https://github.com/pgchatops/pgchatops, 1.0)", post.Headers["User-Agent"]);
        var record = JsonNode.Parse(post.Body)!;
        Assert.StartsWith("Terminated 1 of 1 session", record["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Pid(victim), record["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);

        // A second click is told it is already done.
        var (_, again) = await SendAsync(client, discord, discord.Click(approver, confirmId));
        Assert.True(IsEphemeral(again!));
        Assert.Contains("Already handled", Content(again!), StringComparison.Ordinal);
        Assert.Single(discord.Api.Requests, r => r.Path.StartsWith("/channels/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_signed_interaction_of_an_unexpected_shape_gets_400_and_never_a_500()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000012", discord.OperatorRole);

        var fractional = discord.Command(member, "sessions");
        fractional["data"]!["options"]![0]!["type"] = 1.5;
        var stringOptions = discord.Command(member, "sessions");
        stringOptions["data"]!["options"] = "sessions";

        foreach (var interaction in new[] { fractional, stringOptions })
        {
            var (status, _) = await SendAsync(client, discord, interaction);
            Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.OK, $"{status}");
        }
        Assert.Empty(discord.Api.Requests);
    }

    [Fact]
    public async Task A_slow_read_for_the_channel_is_deferred_and_the_thinking_message_edited()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var app = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000011", discord.OperatorRole);

        // The read is answered only once its audit record is written: hold the audit log past the inline window.
        await using var holder = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync(state));
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockLog = new Npgsql.NpgsqlCommand("LOCK TABLE pgchatops.audit_log IN ACCESS EXCLUSIVE MODE", holder, tx))
        {
            await lockLog.ExecuteNonQueryAsync();
        }
        var command = discord.Command(member, "sessions", ("user", sessions.Role));
        var (status, ack) = await SendAsync(client, discord, command);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5, ack!["type"]!.GetValue<int>());
        Assert.Null(ack["data"]);
        await tx.CommitAsync();

        var token = command["token"]!.GetValue<string>();
        var edit = await discord.Api.WaitForAsync(r => r.Method == "PATCH" && r.Path == $"/webhooks/{DiscordTestPlatform.ApplicationId}/{token}/messages/@original");
        var message = JsonNode.Parse(edit.Body)!;
        Assert.StartsWith("1 session on test", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Pid(idle), message["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(message["flags"]);
        Assert.DoesNotContain(discord.Api.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task A_slow_click_is_acknowledged_at_once_and_the_message_edited_when_done()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenActiveAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var app = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000010", discord.OperatorRole);
        var (_, confirmation) = await SendAsync(client, discord, discord.Command(member, "kill", ("pid", victim.Pid)));
        var confirmId = confirmation!["data"]!["components"]![0]!["components"]![0]!["custom_id"]!.GetValue<string>();
        var actionId = Guid.Parse(confirmId["pgchatops.confirm:".Length..]);

        // Hold the pending action's row: the click's claim waits behind this lock, longer than the inline window.
        await using var holder = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync(state));
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM pgchatops.pending_actions WHERE id = @id FOR UPDATE", holder, tx))
        {
            lockRow.Parameters.AddWithValue("id", actionId);
            Assert.Equal(1, await lockRow.ExecuteScalarAsync());
        }

        var click = discord.Click(member, confirmId);
        var clock = Stopwatch.StartNew();
        var (status, ack) = await SendAsync(client, discord, click);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(6, ack!["type"]!.GetValue<int>());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"acknowledged after {clock.Elapsed}");
        Assert.True(await TestSessions.IsAliveAsync(victim));
        await tx.CommitAsync();

        var token = click["token"]!.GetValue<string>();
        var edit = await discord.Api.WaitForAsync(r => r.Method == "PATCH" && r.Path == $"/webhooks/{DiscordTestPlatform.ApplicationId}/{token}/messages/@original");
        var message = JsonNode.Parse(edit.Body)!;
        Assert.StartsWith("Terminated 1 of 1 session", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(message["components"]!.AsArray());
        Assert.Null(message["flags"]);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        await discord.Api.WaitForAsync(r => r.Path == $"/channels/{DiscordTestPlatform.AuditChannel}/messages");
    }

    [Fact]
    public async Task The_audit_post_waits_out_a_429_and_is_sent_again()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var requester = DiscordTestPlatform.Member("1800000000000000009", discord.OperatorRole);
        var posts = 0;
        discord.Api.Handler = r =>
        {
            if (r.Path.StartsWith("/channels/", StringComparison.Ordinal) && Interlocked.Increment(ref posts) == 1)
            {
                return new FakeResponse(HttpStatusCode.TooManyRequests, """{"message":"You are being rate limited.","retry_after":0.6,"global":false}""")
                {
                    Headers = new Dictionary<string, string> { ["Retry-After"] = "1", ["X-RateLimit-Scope"] = "user" },
                };
            }
            return FakeResponse.Json("""{"id":"1"}""");
        };

        var (_, confirmation) = await SendAsync(client, discord, discord.Command(requester, "kill", ("pid", victim.Pid)));
        var abortId = confirmation!["data"]!["components"]![0]!["components"]![1]!["custom_id"]!.GetValue<string>();
        var (_, aborted) = await SendAsync(client, discord, discord.Click(requester, abortId));

        Assert.Equal(7, aborted!["type"]!.GetValue<int>());
        Assert.StartsWith("Aborted by", aborted["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (discord.Api.Requests.Count(r => r.Path.StartsWith("/channels/", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var attempts = discord.Api.Requests.Where(r => r.Path.StartsWith("/channels/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(550), $"retried after {attempts[1].At - attempts[0].At}");
        Assert.Equal(attempts[0].Body, attempts[1].Body);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
