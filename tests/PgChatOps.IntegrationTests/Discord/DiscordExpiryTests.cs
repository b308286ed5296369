using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Discord;

public sealed class DiscordExpiryTests(ITestOutputHelper output)
{
    private const string Expired = "Expired: nobody confirmed within 5 minutes; nothing was done";

    /// <summary>Signed with the app's (fake) clock, as Discord would sign it at that moment.</summary>
    private static async Task<JsonObject> SendAsync(HttpClient client, DiscordTestPlatform discord, JsonObject interaction, TimeProvider time)
    {
        using var request = discord.SignedRequest(interaction.ToJsonString(), time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task An_unconfirmed_kill_loses_its_buttons_when_it_expires_and_the_audit_channel_is_told()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var app = await TestApp.CreateAsync(discord.Settings(), time: time, stateDatabase: state);
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000020", discord.OperatorRole);

        var command = discord.Command(member, "kill", ("pid", victim.Pid));
        var token = command["token"]!.GetValue<string>();
        var confirmation = await SendAsync(client, discord, command, time);
        Assert.Equal(4, confirmation["type"]!.GetValue<int>());
        var confirmId = confirmation["data"]!["components"]![0]!["components"]![0]!["custom_id"]!.GetValue<string>();
        var original = $"/webhooks/{DiscordTestPlatform.ApplicationId}/{token}/messages/@original";

        await SweeperClock.ExpireAsync(time, TimeSpan.FromMinutes(5), () => discord.Api.Requests.Any(r => r.Method == "PATCH" && r.Path == original));

        // The confirmation (the command's first response) is edited into the outcome, with no components left.
        var edit = JsonNode.Parse(discord.Api.Requests.Single(r => r.Method == "PATCH" && r.Path == original).Body)!;
        output.WriteLine("EDITED TO:\n" + edit.ToJsonString(new(DiscordRenderer.Json) { WriteIndented = true }));
        Assert.StartsWith(Expired, edit["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(edit["components"]!.AsArray());
        Assert.Null(edit["flags"]);

        // The audit channel gets the record, with the bot token.
        var post = await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/channels/{DiscordTestPlatform.AuditChannel}/messages");
        Assert.Equal($"Bot {DiscordTestPlatform.BotToken}", post.Headers["Authorization"]);
        var record = JsonNode.Parse(post.Body)!;
        Assert.StartsWith(Expired, record["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(record["components"]!.AsArray());
        Assert.True(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(0, app.Services.GetRequiredService<DiscordOpenConfirmations>().Count);

        // A click that still arrives gets the expiry and does nothing.
        var late = await SendAsync(client, discord, discord.Click(member, confirmId), time);
        Assert.Equal(7, late["type"]!.GetValue<int>());
        Assert.StartsWith(Expired, late["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(late["data"]!["components"]!.AsArray());
        Assert.True(await TestSessions.IsAliveAsync(victim));
        var actionId = Guid.Parse(confirmId["pgchatops.confirm:".Length..]);
        var rows = await AuditRows.ForActionAsync(await TestDatabase.ConnectionStringAsync(state), actionId);
        Assert.Single(rows, r => r.Event == "expired");
        Assert.DoesNotContain(rows, r => r.Event is "confirmed" or "executed");
    }
}
