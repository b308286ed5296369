using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Watch;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Alerts;

/// <summary>Watch alerts as a Discord user sees them: a bot message in the rule's channel, edited in place, and its buttons.</summary>
public sealed class DiscordAlertTests(ITestOutputHelper output)
{
    private const string MessageId = "1900000000000000009";

    private static string Text(JsonNode node) => node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static async Task<TestApp> StartAsync(DiscordTestPlatform discord, TestSessions sessions)
    {
        discord.Api.Handler = r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages"
            ? FakeResponse.Json(new JsonObject { ["id"] = MessageId, ["channel_id"] = discord.Channel }.ToJsonString())
            : FakeResponse.Json("{}");
        var settings = discord.Settings();
        settings["Logging:LogLevel:Default"] = "Warning";
        foreach (var (k, v) in WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}", platform: "discord", channel: discord.Channel))
        {
            settings[$"Watch:Rules:0:{k}"] = v;
        }
        return await TestApp.CreateAsync(settings, s => s.Replace(ServiceDescriptor.Singleton(new AlertPacing(TimeSpan.FromMilliseconds(300)))));
    }

    private static JsonObject Posted(DiscordTestPlatform discord) =>
        JsonNode.Parse(discord.Api.Requests.First(r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages").Body)!.AsObject();

    private static IReadOnlyList<JsonObject> Edits(DiscordTestPlatform discord) =>
        [.. discord.Api.Requests.Where(r => r.Method == "PATCH" && r.Path == $"/channels/{discord.Channel}/messages/{MessageId}").Select(r => JsonNode.Parse(r.Body)!.AsObject())];

    private static IReadOnlyList<string> CustomIds(JsonObject message) =>
        [.. message["components"]!.AsArray().SelectMany(row => row!["components"]!.AsArray()).Select(b => b!["custom_id"]!.GetValue<string>())];

    /// <summary>A click on a button of the alert message, with the message Discord sends along.</summary>
    private static JsonObject Click(DiscordTestPlatform discord, JsonObject member, JsonObject message, string customId, string? channel = null)
    {
        var click = discord.Click(member, customId);
        click["message"] = new JsonObject { ["id"] = MessageId, ["channel_id"] = discord.Channel, ["content"] = message["content"]!.DeepClone(), ["components"] = message["components"]!.DeepClone() };
        if (channel is not null)
        {
            click["channel_id"] = channel;
        }
        return click;
    }

    /// <summary>What the clicker sees: the inline answer, or after a deferred update (type 6) the follow-up; never an edit of the alert.</summary>
    private static async Task<(int Type, JsonObject Data)> AnswerAsync(HttpClient http, DiscordTestPlatform discord, JsonObject interaction)
    {
        using var request = discord.SignedRequest(interaction.ToJsonString());
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var type = body["type"]!.GetValue<int>();
        if (type != 6)
        {
            return (type, body["data"]!.AsObject());
        }
        var webhook = $"/webhooks/{DiscordTestPlatform.ApplicationId}/{interaction["token"]!.GetValue<string>()}";
        var later = await discord.Api.WaitForAsync(r => r.Path.StartsWith(webhook, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Equal(("POST", webhook), (later.Method, later.Path)); // a follow-up, not an edit of @original
        return (type, JsonNode.Parse(later.Body)!.AsObject());
    }

    private static bool IsEphemeral(JsonObject data) => data["flags"]?.GetValue<int>() == 64;

    [Fact]
    public async Task A_Discord_alert_is_posted_once_edited_in_place_and_its_Terminate_and_Snooze_buttons_refuse_strangers_and_forgeries()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync("da");
        await using var app = await StartAsync(discord, sessions);
        using var http = app.CreateClient();
        var operatorMember = DiscordTestPlatform.Member("1800000000000000001", discord.OperatorRole);
        var stranger = DiscordTestPlatform.Member("1800000000000000002");

        var idle = await sessions.OpenIdleInTransactionAsync();
        await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages", TimeSpan.FromSeconds(10));
        var alert = Posted(discord);
        output.WriteLine("POSTED:\n" + Text(alert));
        Assert.Contains(idle.Pid.ToString(CultureInfo.InvariantCulture), Text(alert), StringComparison.Ordinal);
        var ids = CustomIds(alert);
        Assert.Equal(3, ids.Count);
        Assert.StartsWith("pgchatops.confirm:", ids[0], StringComparison.Ordinal);
        Assert.StartsWith("pgchatops.abort:", ids[1], StringComparison.Ordinal);
        Assert.StartsWith("pgchatops.snooze:", ids[2], StringComparison.Ordinal);
        var alertId = ids[2]["pgchatops.snooze:".Length..];
        Assert.Contains($"watch alert {alertId}", Text(alert), StringComparison.Ordinal);
        await SlackAlertRoom.WaitAsync(() => Edits(discord).Count >= 2, TimeSpan.FromSeconds(10), "the alert to be edited in place");
        Assert.Single(discord.Api.Requests, r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages");

        // A stranger's Terminate, and Snoozes that try to get around the rules: each refused privately.
        var (_, refused) = await AnswerAsync(http, discord, Click(discord, stranger, alert, ids[0]));
        Assert.True(IsEphemeral(refused));
        Assert.Contains("You may not confirm this", Text(refused), StringComparison.Ordinal);
        async Task<string> SnoozeRefusedAsync(JsonObject member, string customId, string? channel = null)
        {
            var (type, data) = await AnswerAsync(http, discord, Click(discord, member, alert, customId, channel));
            Assert.True(IsEphemeral(data), $"type {type}: {Text(data)}");
            return Text(data);
        }
        Assert.Contains("Not allowed", await SnoozeRefusedAsync(stranger, ids[2]), StringComparison.Ordinal);
        Assert.Contains("another channel", await SnoozeRefusedAsync(operatorMember, ids[2], channel: "1400000000000000077"), StringComparison.Ordinal);
        Assert.Contains("unknown", await SnoozeRefusedAsync(operatorMember, "pgchatops.snooze:" + Guid.NewGuid()), StringComparison.Ordinal);
        Assert.Contains("no valid alert id", await SnoozeRefusedAsync(operatorMember, "pgchatops.snooze:../../x"), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(idle));
        Assert.DoesNotContain(Edits(discord), e => Text(e).Contains("Snoozed by", StringComparison.Ordinal));

        // The operator terminates from the alert: a new message with the outcome, the alert itself left to the watch.
        var (answerType, outcome) = await AnswerAsync(http, discord, Click(discord, operatorMember, alert, ids[0]));
        output.WriteLine($"OUTCOME (type {answerType}):\n" + Text(outcome));
        Assert.NotEqual(7, answerType);
        Assert.False(IsEphemeral(outcome));
        Assert.Contains("Terminated 1 of 1 session", Text(outcome), StringComparison.Ordinal);
        await SlackAlertRoom.WaitAsync(() => !TestSessions.IsAliveAsync(idle).GetAwaiter().GetResult(), TimeSpan.FromSeconds(10), "the backend to end");
        await SlackAlertRoom.WaitAsync(() => Edits(discord).Any(e => Text(e).Contains("Resolved after", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the alert to resolve");
        var resolved = Edits(discord)[^1];
        output.WriteLine("RESOLVED:\n" + Text(resolved));
        Assert.Contains("Resolved after", Text(resolved), StringComparison.Ordinal);
        Assert.Empty(CustomIds(resolved));
        Assert.Single(discord.Api.Requests, r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages");
    }

    [Fact]
    public async Task Snooze_on_a_Discord_alert_by_an_operator_is_announced_and_shown_on_the_alert()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync("dz");
        await using var app = await StartAsync(discord, sessions);
        using var http = app.CreateClient();
        var operatorMember = DiscordTestPlatform.Member("1800000000000000001", discord.OperatorRole);

        await sessions.OpenIdleInTransactionAsync();
        await discord.Api.WaitForAsync(r => r.Method == "POST" && r.Path == $"/channels/{discord.Channel}/messages", TimeSpan.FromSeconds(10));
        var alert = Posted(discord);
        var snooze = CustomIds(alert).Single(id => id.StartsWith("pgchatops.snooze:", StringComparison.Ordinal));

        var (type, data) = await AnswerAsync(http, discord, Click(discord, operatorMember, alert, snooze));
        Assert.NotEqual(7, type);
        Assert.False(IsEphemeral(data));
        Assert.Contains("snoozed", Text(data), StringComparison.Ordinal);
        await SlackAlertRoom.WaitAsync(() => Edits(discord).Any(e => Text(e).Contains("Snoozed by", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the alert to show the snooze");
    }
}
