using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PgChatOps.Hosting;

namespace PgChatOps.Slack;

/// <summary>
/// Slack's request signing (v0): HMAC-SHA256 over <c>v0:{timestamp}:{raw body}</c> keyed with the signing secret,
/// a five-minute window, and a constant-time compare. An empty secret verifies nothing.
/// </summary>
public sealed class SlackSignatureVerifier(string? signingSecret, TimeProvider time) : ISignedRequestVerifier
{
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string SignatureHeader = "X-Slack-Signature";

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public bool IsConfigured => !string.IsNullOrEmpty(signingSecret);

    public bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body) =>
        IsValid(header(TimestampHeader), header(SignatureHeader), body);

    public bool IsValid(string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(signingSecret) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return false;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 100_000_000_000)
        {
            return false;
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > (long)Window.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(signingSecret, timestamp, body));
        var given = Encoding.ASCII.GetBytes(signature.Trim());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The <c>X-Slack-Signature</c> value Slack would send for this timestamp and body.</summary>
    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes($"v0:{timestamp}:");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), message);
        return "v0=" + Convert.ToHexStringLower(mac);
    }
}
