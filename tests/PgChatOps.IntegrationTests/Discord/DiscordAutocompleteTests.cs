using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Snapshots;

namespace PgChatOps.IntegrationTests.Discord;

/// <summary>
/// Issue 13 item 7: autocomplete for target, user, db and app (type 4 → type 8) answers within Discord's 3 seconds
/// and never offers a name from a target the asker may not view.
/// </summary>
public sealed class DiscordAutocompleteTests
{
    private const string Vault = "vault";

    /// <summary>The shared server is target <c>test</c> (the default); a server of its own is target <c>vault</c>.</summary>
    private static async Task<TestApp> StartAsync(DiscordTestPlatform discord, string adminRole)
    {
        var pg = await RoomyPostgres.GetAsync();
        var settings = discord.Settings();
        settings.Remove("Access:Rules:0:Allow:1");
        settings["Access:Rules:0:Targets:0"] = "test";
        settings["Access:Rules:1:Platform"] = "discord";
        settings["Access:Rules:1:Channels:0"] = discord.Channel;
        settings["Access:Rules:1:Groups:0"] = adminRole;
        settings["Access:Rules:1:Allow:0"] = "view";
        settings[$"Targets:{Vault}:ConnectionString"] = pg.ConnectionString;
        return await TestApp.CreateAsync(settings);
    }

    /// <summary>A client session on the vault server under a role and an application name of its own.</summary>
    private static async Task<(NpgsqlConnection Session, string Role, string App)> OpenOnVaultAsync()
    {
        var pg = await RoomyPostgres.GetAsync();
        var role = TestDatabase.Unique("secretrole");
        await using (var admin = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false"))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN", admin);
            await create.ExecuteNonQueryAsync();
        }
        var app = role + "_app";
        var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Username = role, Password = null, ApplicationName = app, Pooling = false, Database = "postgres" };
        var session = new NpgsqlConnection(cs.ConnectionString);
        await session.OpenAsync();
        return (session, role, app);
    }

    private static JsonObject Autocomplete(DiscordTestPlatform discord, JsonObject member, string verb, string focused, string typed, string? target = null)
    {
        var options = new JsonArray(new JsonObject { ["name"] = focused, ["type"] = 3, ["value"] = typed, ["focused"] = true });
        if (target is not null && focused != "target")
        {
            options.Add(new JsonObject { ["name"] = "target", ["type"] = 3, ["value"] = target });
        }
        return new JsonObject
        {
            ["id"] = "17" + Random.Shared.NextInt64(10_000_000_000_000_000, 99_999_999_999_999_999).ToString(CultureInfo.InvariantCulture),
            ["application_id"] = DiscordTestPlatform.ApplicationId,
            ["type"] = 4,
            ["token"] = "itoken-" + Guid.NewGuid().ToString("N"),
            ["version"] = 1,
            ["guild_id"] = DiscordTestPlatform.Guild,
            ["channel_id"] = discord.Channel,
            ["member"] = member.DeepClone(),
            ["data"] = new JsonObject
            {
                ["id"] = "1600000000000000006",
                ["name"] = "pg",
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject { ["name"] = verb, ["type"] = 1, ["options"] = options }),
            },
        };
    }

    /// <summary>The choices, after checking the answer's shape and that it came within Discord's deadline.</summary>
    private static async Task<List<string>> ChoicesAsync(HttpClient client, DiscordTestPlatform discord, JsonObject interaction)
    {
        var clock = Stopwatch.StartNew();
        using var request = discord.SignedRequest(interaction.ToJsonString());
        using var response = await client.SendAsync(request);
        var elapsed = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"answered after {elapsed}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(8, body["type"]!.GetValue<int>());
        var choices = body["data"]!["choices"]!.AsArray();
        Assert.True(choices.Count <= 25);
        Assert.All(choices, c => Assert.Equal(c!["name"]!.GetValue<string>(), c["value"]!.GetValue<string>()));
        return choices.Select(c => c!["value"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task Matching_targets_users_databases_and_applications_come_back_within_three_seconds()
    {
        await using var sessions = await TestSessions.CreateAsync("acmatch");
        await sessions.OpenAsync(sessions.App("web"));
        await sessions.OpenAsync(sessions.App("web"));
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await StartAsync(discord, "1500000000000000099");
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000031", discord.OperatorRole);

        Assert.Equal(["test"], await ChoicesAsync(client, discord, Autocomplete(discord, member, "sessions", "target", "te")));
        Assert.Equal([sessions.Role], await ChoicesAsync(client, discord, Autocomplete(discord, member, "kill", "user", sessions.Role[..^4])));
        Assert.Equal([sessions.App("web")], await ChoicesAsync(client, discord, Autocomplete(discord, member, "sessions", "app", sessions.App("w"), target: "test")));
        Assert.Contains("postgres", await ChoicesAsync(client, discord, Autocomplete(discord, member, "sessions", "db", "POST")));
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, member, "sessions", "user", "no-such-role-" + Guid.NewGuid().ToString("N"))));
    }

    [Fact]
    public async Task A_member_who_may_view_only_one_target_is_never_offered_a_name_from_another()
    {
        var (secret, role, secretApp) = await OpenOnVaultAsync();
        await using var _ = secret;
        await using var discord = await DiscordTestPlatform.StartAsync();
        const string adminRole = "1500000000000000098";
        await using var app = await StartAsync(discord, adminRole);
        using var client = app.CreateClient();
        var attacker = DiscordTestPlatform.Member("1800000000000000032", discord.OperatorRole);
        var admin = DiscordTestPlatform.Member("1800000000000000033", adminRole);

        // The attacker may view test only: the vault, its roles and its applications stay unknown to them.
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "sessions", "target", "va")));
        Assert.Equal(["test"], await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "summary", "target", "")));
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "sessions", "user", role[..12], target: Vault)));
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "kill", "app", secretApp[..12], target: Vault)));
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "sessions", "user", role[..12], target: "VAULT")));
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "sessions", "user", role[..12], target: "va*")));
        Assert.Empty(await ChoicesAsync(client, discord, Autocomplete(discord, attacker, "sessions", "user", role[..12])));

        // Someone who may view the vault is offered them: the refusals above are access, not an empty server.
        Assert.Equal([Vault], await ChoicesAsync(client, discord, Autocomplete(discord, admin, "sessions", "target", "va")));
        Assert.Equal([role], await ChoicesAsync(client, discord, Autocomplete(discord, admin, "sessions", "user", role[..12], target: Vault)));
        Assert.Equal([secretApp], await ChoicesAsync(client, discord, Autocomplete(discord, admin, "sessions", "app", secretApp, target: Vault)));
    }
}
