using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Discord;

/// <summary>
/// Plays Discord: a fresh Ed25519 application key that signs interactions exactly as Discord does
/// (UTF-8 timestamp followed by the raw body), a fake Discord API, and builders for interaction JSON.
/// </summary>
public sealed class DiscordTestPlatform : IAsyncDisposable
{
    public const string ApplicationId = "1100000000000000001";
    public const string Guild = "1200000000000000002";
    public const string BotToken = "test-bot-token";
    public const string AuditChannel = "1300000000000000003";

    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);

    private DiscordTestPlatform(FakeHttpServer api) => Api = api;

    public FakeHttpServer Api { get; }

    /// <summary>A channel id of this test's own.</summary>
    public string Channel { get; } = "14" + Random.Shared.NextInt64(10_000_000_000_000_000, 99_999_999_999_999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>A role id of this test's own: members with it may view and terminate in <see cref="Channel"/>.</summary>
    public string OperatorRole { get; } = "15" + Random.Shared.NextInt64(10_000_000_000_000_000, 99_999_999_999_999_999).ToString(CultureInfo.InvariantCulture);

    public string PublicKeyHex => Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public static async Task<DiscordTestPlatform> StartAsync() => new(await FakeHttpServer.StartAsync());

    /// <summary>Settings for a TestApp that talks to this fake Discord, with the access rule from the issue.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Discord:PublicKey"] = PublicKeyHex,
        ["Discord:ApiBaseUrl"] = Api.BaseUrl,
        ["Discord:ApplicationId"] = ApplicationId,
        ["Discord:BotToken"] = BotToken,
        ["Discord:AuditChannel"] = AuditChannel,
        ["Access:Rules:0:Platform"] = "discord",
        ["Access:Rules:0:Channels:0"] = Channel,
        ["Access:Rules:0:Groups:0"] = OperatorRole,
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
    };

    public HttpRequestMessage SignedRequest(string body, string? timestamp = null, Key? key = null)
    {
        timestamp ??= DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(body);
        var signature = SignatureAlgorithm.Ed25519.Sign(key ?? _key, [.. Encoding.UTF8.GetBytes(timestamp), .. bytes]);
        var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(signature));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return request;
    }

    public static JsonObject Member(string userId, params string[] roles) => new()
    {
        ["user"] = new JsonObject { ["id"] = userId, ["username"] = "user" + userId[^4..], ["global_name"] = "User " + userId[^4..] },
        ["roles"] = new JsonArray(roles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
        ["nick"] = null,
        ["permissions"] = "2147483647",
    };

    /// <summary>An APPLICATION_COMMAND for <c>/pg &lt;verb&gt;</c> with the given options (int or string values).</summary>
    public JsonObject Command(JsonObject member, string verb, params (string Name, object Value)[] options)
    {
        var opts = new JsonArray();
        foreach (var (name, value) in options)
        {
            opts.Add(new JsonObject
            {
                ["name"] = name,
                ["type"] = value is int ? 4 : 3,
                ["value"] = value is int i ? JsonValue.Create(i) : JsonValue.Create((string)value),
            });
        }
        return Interaction(2, member, new JsonObject
        {
            ["id"] = "1600000000000000006",
            ["name"] = "pg",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = verb, ["type"] = 1, ["options"] = opts }),
        });
    }

    /// <summary>A MESSAGE_COMPONENT button click.</summary>
    public JsonObject Click(JsonObject member, string customId) =>
        Interaction(3, member, new JsonObject { ["component_type"] = 2, ["custom_id"] = customId });

    private JsonObject Interaction(int type, JsonObject member, JsonObject data) => new()
    {
        ["id"] = "17" + Random.Shared.NextInt64(10_000_000_000_000_000, 99_999_999_999_999_999).ToString(CultureInfo.InvariantCulture),
        ["application_id"] = ApplicationId,
        ["type"] = type,
        ["token"] = "itoken-" + Guid.NewGuid().ToString("N"),
        ["version"] = 1,
        ["guild_id"] = Guild,
        ["channel_id"] = Channel,
        ["member"] = member.DeepClone(),
        ["data"] = data,
    };

    public async ValueTask DisposeAsync()
    {
        _key.Dispose();
        await Api.DisposeAsync();
    }
}
