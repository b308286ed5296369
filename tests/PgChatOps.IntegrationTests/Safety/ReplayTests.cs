using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;
using Microsoft.Extensions.DependencyInjection;
using PgChatOps.Slack;

namespace PgChatOps.IntegrationTests.Safety;

/// <summary>
/// Issue #10 item 5: a captured, validly signed request sent again, to the same replica or another one sharing
/// the state store, is answered "already handled" and does nothing; the replay is audited.
/// </summary>
public sealed class ReplayTests
{
    private static Task<long> CountAsync(string stateDb, string sql, params (string, object)[] parameters) =>
        TestDatabase.ScalarAsync<long>(sql, stateDb, parameters);

    [Fact]
    public async Task Item5_a_replayed_discord_interaction_does_nothing_on_another_replica()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync("rp");
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var replicaA = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        await using var replicaB = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);
        using var clientA = replicaA.CreateClient();
        using var clientB = replicaB.CreateClient();
        const string userId = "1800000000000000888";
        var member = DiscordTestPlatform.Member(userId, discord.OperatorRole);

        // The very same bytes, signature and timestamp: what an attacker who captured the request can send.
        var interaction = discord.Command(member, "kill", ("pid", victim.Pid));
        var body = interaction.ToJsonString();
        using var original = discord.SignedRequest(body);
        var signature = original.Headers.GetValues("X-Signature-Ed25519").Single();
        var timestamp = original.Headers.GetValues("X-Signature-Timestamp").Single();

        using var first = await clientA.SendAsync(original);
        var confirmation = await DiscordAnswer.DataAsync(discord, first, interaction);
        Assert.Contains("Terminate 1 session", confirmation["content"]!.GetValue<string>(), StringComparison.Ordinal);

        using var replay = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        replay.Content.Headers.ContentType = new("application/json");
        replay.Headers.Add("X-Signature-Ed25519", signature);
        replay.Headers.Add("X-Signature-Timestamp", timestamp);
        using var second = await clientB.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondBody = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        // Inline, or (on a slow machine) deferred and then sent as a private follow-up.
        var answer = secondBody["type"]!.GetValue<int>() == 4
            ? secondBody["data"]!
            : JsonNode.Parse((await discord.Api.WaitForAsync(
                r => r.Method == "POST" && r.Path == $"/webhooks/{DiscordTestPlatform.ApplicationId}/{interaction["token"]!.GetValue<string>()}",
                TimeSpan.FromSeconds(20))).Body)!;
        Assert.StartsWith("✖ Already handled: this exact request", answer["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(64, answer["flags"]!.GetValue<int>());
        Assert.Empty(answer["components"]!.AsArray());
        Assert.Equal(1, await CountAsync(state, "SELECT count(*) FROM pgchatops.pending_actions WHERE requested_by = @u", ("u", userId)));
        Assert.Equal(1, await CountAsync(state, "SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @u AND event = 'confirmation'", ("u", userId)));
        Assert.Equal(1, await CountAsync(state, "SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @u AND event = 'replayed'", ("u", userId)));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Item5_a_replayed_slack_slash_command_with_a_seen_trigger_id_does_nothing()
    {
        await using var sessions = await TestSessions.CreateAsync("rs");
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "CREPLAY",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        });
        const string user = "UREPLAY";
        var body = string.Join("&", new Dictionary<string, string>
        {
            ["team_id"] = SlackClient.Team, ["channel_id"] = "CREPLAY", ["user_id"] = user, ["user_name"] = "mallory", ["command"] = "/pg",
            ["text"] = $"kill {victim.Pid.ToString(CultureInfo.InvariantCulture)}", ["response_url"] = slack.ResponseUrl("replay"),
            ["trigger_id"] = SlackClient.NewTriggerId(), ["api_app_id"] = "A0TEST",
        }.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = SlackSignatureVerifier.Sign(SlackFixture.Secret, timestamp.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(body));
        const string form = "application/x-www-form-urlencoded";

        using var first = await slack.Client.SendAsync("/slack/commands", body, form, signature, timestamp);
        using var second = await slack.Client.SendAsync("/slack/commands", body, form, signature, timestamp);

        // Each answer inline, or through response_url when the database was slow (both share the one response_url).
        async Task<JsonObject> AnswerAsync(HttpResponseMessage response, Func<JsonObject, bool> which)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var inline = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            return inline["blocks"] is not null ? inline : await slack.PostedToAsync("/response/replay", which);
        }
        var confirmation = await AnswerAsync(first, m => m["response_type"]?.GetValue<string>() == "in_channel");
        Assert.Equal("in_channel", confirmation["response_type"]!.GetValue<string>());
        var answer = await AnswerAsync(second, m => m["text"]?.GetValue<string>().Contains("Already handled", StringComparison.Ordinal) == true);
        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.StartsWith(":x: Already handled: this exact request", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(answer["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "actions");
        var stateDb = slack.StateDatabase;
        Assert.Equal(1, await CountAsync(stateDb, "SELECT count(*) FROM pgchatops.pending_actions WHERE requested_by = @u", ("u", user)));
        Assert.Equal(1, await CountAsync(stateDb, "SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @u AND event = 'replayed'", ("u", user)));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Item5_handled_delivery_ids_are_kept_an_hour_then_pruned()
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var core = await CoreHost.StartAsync(stateDatabase: state);
        var seen = core.Services.GetRequiredService<PgChatOps.Audit.SeenRequests>();
        await TestDatabase.ScalarAsync<int>(
            "INSERT INTO pgchatops.seen_requests (platform, request_id, seen_at) VALUES ('discord', 'old', now() - interval '61 minutes'), ('discord', 'recent', now() - interval '59 minutes') RETURNING 1", state);

        Assert.True(await seen.FirstTimeAsync(PgChatOps.Commands.Platform.Discord, "new", CancellationToken.None));
        Assert.False(await seen.FirstTimeAsync(PgChatOps.Commands.Platform.Discord, "new", CancellationToken.None));
        Assert.False(await seen.FirstTimeAsync(PgChatOps.Commands.Platform.Discord, "recent", CancellationToken.None));
        Assert.True(await seen.FirstTimeAsync(PgChatOps.Commands.Platform.Slack, "recent", CancellationToken.None));
        Assert.Equal(0, await CountAsync(state, "SELECT count(*) FROM pgchatops.seen_requests WHERE request_id = 'old'"));
    }

    [Fact]
    public async Task Item5_a_replayed_slack_click_with_a_seen_trigger_id_is_handled_once()
    {
        await using var sessions = await TestSessions.CreateAsync("rk");
        var victim = await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = "CREPLAYK",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        });
        const string user = "UREPLAYK";
        await slack.Client.CommandAsync("CREPLAYK", user, $"kill {victim.Pid.ToString(CultureInfo.InvariantCulture)}", slack.ResponseUrl("replayk"));
        var stateDb = slack.StateDatabase;
        var id = Guid.Empty;
        for (var i = 0; i < 100 && id == Guid.Empty; i++)
        {
            var found = await TestDatabase.ScalarAsync<object>(
                "SELECT coalesce((SELECT id::text FROM pgchatops.pending_actions WHERE requested_by = @u), '')", stateDb, ("u", user));
            id = Guid.TryParse((string)found, out var parsed) ? parsed : Guid.Empty;
            await Task.Delay(id == Guid.Empty ? 50 : 0);
        }
        var trigger = SlackClient.NewTriggerId();

        // The same abort click, captured and sent again with its trigger_id.
        await slack.Client.ClickAsync("CREPLAYK", user, "pgchatops.abort", id, slack.ResponseUrl("abortk"), "1700000000.000300", triggerId: trigger);
        await slack.Client.ClickAsync("CREPLAYK", user, "pgchatops.abort", id, slack.ResponseUrl("abortk"), "1700000000.000300", triggerId: trigger);

        var answer = await slack.PostedToAsync("/response/abortk", m => m["text"]?.GetValue<string>().Contains("Already handled: this exact request", StringComparison.Ordinal) == true);
        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Equal(1, await CountAsync(stateDb, "SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @u AND event = 'replayed'", ("u", user)));
        Assert.Equal(1, await CountAsync(stateDb, "SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @u AND event = 'aborted'", ("u", user)));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
