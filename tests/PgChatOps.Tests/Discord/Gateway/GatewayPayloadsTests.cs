using System.Text.Json;
using PgChatOps.Discord.Gateway;

namespace PgChatOps.Tests.Discord.Gateway;

public sealed class GatewayPayloadsTests
{
    private static JsonElement Parse(ReadOnlyMemory<byte> payload) => JsonDocument.Parse(payload).RootElement;

    [Fact]
    public void Identify_carries_the_raw_token_no_intents_and_the_connection_properties()
    {
        var identify = Parse(GatewayPayloads.Identify("abc.def", "pgchatops"));

        Assert.Equal(GatewayOpcode.Identify, identify.GetProperty("op").GetInt32());
        var d = identify.GetProperty("d");
        Assert.Equal("abc.def", d.GetProperty("token").GetString());
        Assert.Equal(0, d.GetProperty("intents").GetInt32());
        Assert.Equal("linux", d.GetProperty("properties").GetProperty("os").GetString());
        Assert.Equal("pgchatops", d.GetProperty("properties").GetProperty("browser").GetString());
        Assert.Equal("pgchatops", d.GetProperty("properties").GetProperty("device").GetString());
    }

    [Fact]
    public void Resume_carries_the_session_id_and_the_last_sequence()
    {
        var d = Parse(GatewayPayloads.Resume("abc.def", "session-9", 1337)).GetProperty("d");

        Assert.Equal("session-9", d.GetProperty("session_id").GetString());
        Assert.Equal(1337, d.GetProperty("seq").GetInt32());
    }

    [Fact]
    public void A_heartbeat_before_any_dispatch_carries_null()
    {
        Assert.Equal(JsonValueKind.Null, Parse(GatewayPayloads.Heartbeat(null)).GetProperty("d").ValueKind);
        Assert.Equal(42, Parse(GatewayPayloads.Heartbeat(42)).GetProperty("d").GetInt32());
    }

    [Fact]
    public void Every_payload_fits_discords_4096_byte_limit_even_with_a_long_token() =>
        Assert.True(GatewayPayloads.Resume(new string('x', 200), new string('s', 64), int.MaxValue).Length <= GatewaySocket.MaxPayloadBytes);

    [Theory]
    [InlineData("wss://gateway.discord.gg", "wss://gateway.discord.gg/?v=10&encoding=json")]
    [InlineData("wss://gateway.discord.gg/", "wss://gateway.discord.gg/?v=10&encoding=json")]
    [InlineData("wss://gateway-us-east1-b.discord.gg/?v=9", "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json")]
    [InlineData("ws://127.0.0.1:5000/resume", "ws://127.0.0.1:5000/resume?v=10&encoding=json")]
    public void The_gateway_url_gets_version_10_and_json_encoding(string url, string expected) =>
        Assert.Equal(expected, GatewayUrl.WithQuery(new Uri(url)).AbsoluteUri);

    [Theory]
    [InlineData("https://discord.com/api/v10/")]
    [InlineData("https://discord.com/api/v10")]
    public void Api_paths_land_under_the_base_with_or_without_its_slash(string baseUrl) =>
        Assert.Equal("https://discord.com/api/v10/gateway/bot", GatewayUrl.ApiUrl(new Uri(baseUrl), "gateway/bot").AbsoluteUri);
}
