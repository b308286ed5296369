using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Discord;

public sealed class DiscordStuckActionTests
{
    private const string OutcomeUnknown = "Outcome unknown: the terminate on test was confirmed but its result was never recorded";

    [Fact]
    public async Task Item5_an_action_left_confirmed_by_a_stopped_replica_is_posted_in_its_channel_and_the_audit_channel_at_start_up()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var member = DiscordTestPlatform.Member("1800000000000000021", discord.OperatorRole);
        string confirmId;
        await using (var stopped = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state))
        {
            using var client = stopped.CreateClient();
            using var response = await client.SendAsync(discord.SignedRequest(discord.Command(member, "kill", ("pid", victim.Pid)).ToJsonString()));
            var confirmation = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            confirmId = confirmation["data"]!["components"]![0]!["components"]![0]!["custom_id"]!.GetValue<string>();
        }
        var id = Guid.Parse(confirmId["pgchatops.confirm:".Length..]);
        await TestDatabase.ScalarAsync<int>("""
            UPDATE pgchatops.pending_actions
            SET status = 'confirmed', decided_by = 'someone', decided_by_name = 'someone', decided_at = now() - interval '1 hour'
            WHERE id = @id;
            SELECT 1
            """, state, ("id", id));

        await using var restarted = await TestApp.CreateAsync(discord.Settings(), stateDatabase: state);

        var inChannel = await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages", TimeSpan.FromSeconds(20));
        Assert.StartsWith(OutcomeUnknown, JsonNode.Parse(inChannel.Body)!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse(inChannel.Body)!["components"]!.AsArray());
        var audit = await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/channels/{DiscordTestPlatform.AuditChannel}/messages", TimeSpan.FromSeconds(20));
        Assert.StartsWith(OutcomeUnknown, JsonNode.Parse(audit.Body)!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
