using System.Text;
using PgChatOps.Discord;

namespace PgChatOps.Tests.Discord;

public sealed class DiscordSignatureVerifierTests
{
    private const string Rfc8032PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Rfc8032Signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    private const string DiscordStyleTimestamp = "1700000000";
    private const string DiscordStyleBody = """{"type":1}""";
    private const string DiscordStyleSignature = "1695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f54624f38a6bc0614e4dc13cd47f0f";

    private static readonly DiscordSignatureVerifier Verifier = new(Rfc8032PublicKey);

    [Fact]
    public void The_RFC_8032_test_1_vector_verifies()
    {
        Assert.True(Verifier.Verify(Rfc8032Signature, "", []));
    }

    [Fact]
    public void The_Discord_style_vector_verifies()
    {
        Assert.True(Verifier.Verify(DiscordStyleSignature, DiscordStyleTimestamp, Encoding.UTF8.GetBytes(DiscordStyleBody)));
    }

    [Fact]
    public void A_key_given_in_upper_case_hex_works_too()
    {
        var verifier = new DiscordSignatureVerifier(Rfc8032PublicKey.ToUpperInvariant());
        Assert.True(verifier.Verify(DiscordStyleSignature.ToUpperInvariant(), DiscordStyleTimestamp, Encoding.UTF8.GetBytes(DiscordStyleBody)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(9)]
    public void A_flipped_byte_in_the_body_is_rejected(int index)
    {
        var body = Encoding.UTF8.GetBytes(DiscordStyleBody);
        body[index] ^= 0x01;
        Assert.False(Verifier.Verify(DiscordStyleSignature, DiscordStyleTimestamp, body));
    }

    [Theory]
    [InlineData("1700000001")]
    [InlineData("0700000000")]
    [InlineData("170000000")]
    [InlineData("")]
    public void A_changed_timestamp_is_rejected(string timestamp)
    {
        Assert.False(Verifier.Verify(DiscordStyleSignature, timestamp, Encoding.UTF8.GetBytes(DiscordStyleBody)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(63)]
    public void A_flipped_byte_in_the_signature_is_rejected(int index)
    {
        var signature = Convert.FromHexString(DiscordStyleSignature);
        signature[index] ^= 0x80;
        Assert.False(Verifier.Verify(Convert.ToHexString(signature), DiscordStyleTimestamp, Encoding.UTF8.GetBytes(DiscordStyleBody)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("1695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228")]
    [InlineData("g695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f54624f38a6bc0614e4dc13cd47f0f")]
    public void A_missing_or_malformed_signature_is_rejected(string? signature)
    {
        Assert.False(Verifier.Verify(signature, DiscordStyleTimestamp, Encoding.UTF8.GetBytes(DiscordStyleBody)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not hex at all")]
    [InlineData("d75a980182b10ab7d54bfed3c964073a")]
    [InlineData("x75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")]
    public void Without_a_valid_public_key_nothing_verifies(string? key)
    {
        var verifier = new DiscordSignatureVerifier(key);
        Assert.False(verifier.HasKey);
        Assert.False(verifier.Verify(DiscordStyleSignature, DiscordStyleTimestamp, Encoding.UTF8.GetBytes(DiscordStyleBody)));
    }

    [Fact]
    public void A_timestamp_within_fifteen_minutes_either_way_is_fresh()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.True(DiscordSignatureVerifier.IsFresh("1700000000", now));
        Assert.True(DiscordSignatureVerifier.IsFresh("1700000900", now));
        Assert.True(DiscordSignatureVerifier.IsFresh("1699999100", now));
    }

    [Theory]
    [InlineData("1700000901")]
    [InlineData("1699999099")]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1.7e9")]
    [InlineData("99999999999999999999")]
    public void A_stale_or_unreadable_timestamp_is_not_fresh(string timestamp)
    {
        Assert.False(DiscordSignatureVerifier.IsFresh(timestamp, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
    }
}
