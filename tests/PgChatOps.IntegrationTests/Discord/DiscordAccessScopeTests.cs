using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Discord;

/// <summary>
/// Issue #10 item 4 over the real Discord endpoint with Ed25519-signed interactions: rules are bound to a guild,
/// a DM is not a channel, and a click counts only in the guild the confirmation was posted in.
/// </summary>
public sealed class DiscordAccessScopeTests
{
    private const string OtherGuild = "1299999999999999999";
    private const string DmChannel = "1499999999999999999";
    private const int BotDm = 1;
    private const int PrivateChannel = 2;

    private static string Pid(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);

    private static async Task<JsonObject> SendAsync(HttpClient client, DiscordTestPlatform discord, JsonObject interaction)
    {
        using var request = discord.SignedRequest(interaction.ToJsonString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Discord's shape outside a guild: no guild_id, <c>user</c> instead of <c>member</c>, a DM context.</summary>
    private static JsonObject InDirectMessage(JsonObject interaction, int context)
    {
        interaction.Remove("guild_id");
        interaction["user"] = interaction["member"]!["user"]!.DeepClone();
        interaction.Remove("member");
        interaction["channel_id"] = DmChannel;
        interaction["context"] = context;
        return interaction;
    }

    private static JsonObject InGuild(JsonObject interaction, string guild)
    {
        interaction["guild_id"] = guild;
        return interaction;
    }

    /// <summary>The platform's settings (rule 0: its channel, its operator role) plus <paramref name="rules"/>.</summary>
    private static Dictionary<string, string?> Settings(DiscordTestPlatform discord, Dictionary<string, string?> rules)
    {
        var all = discord.Settings();
        foreach (var (key, value) in rules)
        {
            all[key] = value;
        }
        return all;
    }

    /// <summary>Rule 1: anyone, any channel, view and terminate; bound to <paramref name="guild"/> when given.</summary>
    private static Dictionary<string, string?> StarRule(string? guild = null)
    {
        var rule = new Dictionary<string, string?>
        {
            ["Access:Rules:1:Platform"] = "discord",
            ["Access:Rules:1:Channels:0"] = "*",
            ["Access:Rules:1:Allow:0"] = "view",
            ["Access:Rules:1:Allow:1"] = "terminate",
        };
        if (guild is not null)
        {
            rule["Access:Rules:1:Workspaces:0"] = guild;
        }
        return rule;
    }

    private static string Everything(JsonObject response) => response.ToJsonString();

    private static bool IsDenial(JsonObject response) =>
        response["data"]?["flags"]?.GetValue<int>() == 64
        && response["data"]!["content"]!.GetValue<string>().Contains("Not allowed", StringComparison.Ordinal);

    [Fact]
    public async Task Item4_a_star_rule_does_not_match_a_discord_dm()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var app = await TestApp.CreateAsync(Settings(discord, StarRule()));
        using var client = app.CreateClient();
        var stranger = DiscordTestPlatform.Member("1800000000000000101");

        var botDm = await SendAsync(client, discord, InDirectMessage(discord.Command(stranger, "sessions", ("user", sessions.Role)), BotDm));
        var groupDm = await SendAsync(client, discord, InDirectMessage(discord.Command(stranger, "sessions", ("user", sessions.Role)), PrivateChannel));
        var kill = await SendAsync(client, discord, InDirectMessage(discord.Command(stranger, "kill", ("pid", victim.Pid)), BotDm));
        var guild = await SendAsync(client, discord, discord.Command(stranger, "sessions", ("user", sessions.Role)));

        Assert.True(IsDenial(botDm), Everything(botDm));
        Assert.DoesNotContain(Pid(victim), Everything(botDm), StringComparison.Ordinal);
        Assert.True(IsDenial(groupDm), Everything(groupDm));
        Assert.True(IsDenial(kill), Everything(kill));
        Assert.Contains(Pid(victim), Everything(guild), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item4_only_a_rule_naming_dm_lets_a_discord_dm_in()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var app = await TestApp.CreateAsync(Settings(discord, new()
        {
            ["Access:Rules:1:Platform"] = "discord",
            ["Access:Rules:1:Channels:0"] = "dm",
            ["Access:Rules:1:Users:0"] = "1800000000000000102",
            ["Access:Rules:1:Allow:0"] = "view",
        }));
        using var client = app.CreateClient();
        var oncall = DiscordTestPlatform.Member("1800000000000000102");
        var other = DiscordTestPlatform.Member("1800000000000000103");

        var allowed = await SendAsync(client, discord, InDirectMessage(discord.Command(oncall, "sessions", ("user", sessions.Role)), BotDm));
        var otherUser = await SendAsync(client, discord, InDirectMessage(discord.Command(other, "sessions", ("user", sessions.Role)), BotDm));

        Assert.Contains(Pid(victim), Everything(allowed), StringComparison.Ordinal);
        Assert.True(IsDenial(otherUser), Everything(otherUser));
    }

    [Fact]
    public async Task Item4_a_rule_bound_to_a_guild_does_not_apply_in_another_guild()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var app = await TestApp.CreateAsync(Settings(discord, StarRule(DiscordTestPlatform.Guild)));
        using var client = app.CreateClient();
        var stranger = DiscordTestPlatform.Member("1800000000000000104");

        var foreign = await SendAsync(client, discord, InGuild(discord.Command(stranger, "sessions", ("user", sessions.Role)), OtherGuild));
        var foreignKill = await SendAsync(client, discord, InGuild(discord.Command(stranger, "kill", ("pid", victim.Pid)), OtherGuild));
        var home = await SendAsync(client, discord, discord.Command(stranger, "sessions", ("user", sessions.Role)));

        Assert.True(IsDenial(foreign), Everything(foreign));
        Assert.DoesNotContain(Pid(victim), Everything(foreign), StringComparison.Ordinal);
        Assert.True(IsDenial(foreignKill), Everything(foreignKill));
        Assert.Contains(Pid(victim), Everything(home), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item4_a_click_from_another_guild_or_a_dm_is_refused_and_the_session_lives()
    {
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        // No Workspaces: the rule itself would let the clicker in from anywhere but a DM.
        await using var app = await TestApp.CreateAsync(Settings(discord, StarRule()));
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000105");
        var confirmation = await SendAsync(client, discord, discord.Command(member, "kill", ("pid", victim.Pid)));
        var confirmId = confirmation["data"]!["components"]![0]!["components"]![0]!["custom_id"]!.GetValue<string>();

        var foreign = await SendAsync(client, discord, InGuild(discord.Click(member, confirmId), OtherGuild));
        var dm = await SendAsync(client, discord, InDirectMessage(discord.Click(member, confirmId), BotDm));

        foreach (var refusal in new[] { foreign, dm })
        {
            Assert.Equal(4, refusal["type"]!.GetValue<int>());
            Assert.Equal(64, refusal["data"]!["flags"]!.GetValue<int>());
            Assert.Contains("belongs to another channel", refusal["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }
}
