using System.Text;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Slack;

namespace PgChatOps.Tests.Slack;

public sealed class SlackSignatureVerifierTests
{
    // Slack's documented example (PROTOCOLS.md §2).
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string Body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static SlackSignatureVerifier At(long unixSeconds, string? secret = Secret) =>
        new(secret, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Slacks_documented_example_verifies()
    {
        Assert.True(At(1531420618).IsValid(Timestamp, Signature, Bytes(Body)));
        Assert.Equal(Signature, SlackSignatureVerifier.Sign(Secret, Timestamp, Bytes(Body)));
    }

    [Fact]
    public void The_example_verifies_anywhere_inside_the_five_minute_window()
    {
        Assert.True(At(1531420618 + 300).IsValid(Timestamp, Signature, Bytes(Body)));
        Assert.True(At(1531420618 - 300).IsValid(Timestamp, Signature, Bytes(Body)));
    }

    [Fact]
    public void A_tampered_body_is_rejected()
    {
        var tampered = Body.Replace("text=&", "text=kill+1&", StringComparison.Ordinal);
        Assert.False(At(1531420618).IsValid(Timestamp, Signature, Bytes(tampered)));
        Assert.False(At(1531420618).IsValid(Timestamp, Signature, Bytes(Body + " ")));
    }

    [Fact]
    public void A_wrong_secret_is_rejected()
    {
        Assert.False(At(1531420618, "8f742231b10e8888abcd99yyyzzz85a6").IsValid(Timestamp, Signature, Bytes(Body)));
    }

    [Theory]
    [InlineData(360)]
    [InlineData(-360)]
    [InlineData(301)]
    public void A_timestamp_outside_the_window_is_rejected(int offsetSeconds)
    {
        Assert.False(At(1531420618 + offsetSeconds).IsValid(Timestamp, Signature, Bytes(Body)));
    }

    [Fact]
    public void A_timestamp_six_minutes_off_is_rejected_even_when_signed_correctly()
    {
        var old = (1531420618 - 360).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = SlackSignatureVerifier.Sign(Secret, old, Bytes(Body));
        Assert.False(At(1531420618).IsValid(old, signature, Bytes(Body)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void An_empty_signing_secret_verifies_nothing(string? secret)
    {
        var signature = SlackSignatureVerifier.Sign("", Timestamp, Bytes(Body));
        Assert.False(At(1531420618, secret).IsValid(Timestamp, signature, Bytes(Body)));
    }

    [Theory]
    [InlineData(null, Signature)]
    [InlineData(Timestamp, null)]
    [InlineData("", Signature)]
    [InlineData("abc", Signature)]
    [InlineData("-1531420618", Signature)]
    [InlineData(Timestamp, "v0=")]
    [InlineData(Timestamp, "A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503")]
    [InlineData(Timestamp, "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    public void Missing_or_malformed_headers_are_rejected(string? timestamp, string? signature)
    {
        Assert.False(At(1531420618).IsValid(timestamp, signature, Bytes(Body)));
    }
}
