using System.Text;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Discord;

namespace PgChatOps.Tests.Discord;

/// <summary>The whole check the HTTP transport's filter asks for: signature and replay window, on the verifier's clock.</summary>
public sealed class DiscordRequestAuthenticityTests
{
    private const string PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Timestamp = "1700000000";
    private const string Signature = "1695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f54624f38a6bc0614e4dc13cd47f0f";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":1}""");

    private static Func<string, string?> Headers(string? signature = Signature, string? timestamp = Timestamp) => name => name switch
    {
        DiscordSignatureVerifier.SignatureHeader => signature,
        DiscordSignatureVerifier.TimestampHeader => timestamp,
        _ => null,
    };

    private static DiscordSignatureVerifier At(long unixSeconds) =>
        new(PublicKey, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Fact]
    public void A_signed_request_is_authentic_inside_the_window_on_the_verifiers_clock()
    {
        Assert.True(At(1_700_000_000).IsAuthentic(Headers(), Body));
        Assert.True(At(1_700_000_000 + 899).IsAuthentic(Headers(), Body));
    }

    [Fact]
    public void A_correctly_signed_replay_from_outside_the_window_is_not()
    {
        Assert.False(At(1_700_000_000 + 901).IsAuthentic(Headers(), Body));
        Assert.False(At(1_700_000_000 - 901).IsAuthentic(Headers(), Body));
    }

    [Fact]
    public void Missing_headers_are_not_authentic()
    {
        Assert.False(At(1_700_000_000).IsAuthentic(Headers(signature: null), Body));
        Assert.False(At(1_700_000_000).IsAuthentic(Headers(timestamp: null), Body));
    }

    [Fact]
    public void Without_a_key_nothing_is_authentic()
    {
        var verifier = new DiscordSignatureVerifier(null, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
        Assert.False(verifier.IsConfigured);
        Assert.False(verifier.IsAuthentic(Headers(), Body));
    }
}
