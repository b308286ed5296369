using System.Globalization;
using System.Text;
using NSec.Cryptography;
using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>
/// Checks Discord's Ed25519 signature over UTF-8(timestamp) followed by the raw body. Fails closed: without a
/// valid public key nothing verifies. A request is authentic when its signature verifies and its timestamp is
/// within <see cref="Window"/> of now on the verifier's clock.
/// </summary>
public sealed class DiscordSignatureVerifier : ISignedRequestVerifier
{
    public const string SignatureHeader = "X-Signature-Ed25519";
    public const string TimestampHeader = "X-Signature-Timestamp";

    /// <summary>
    /// Discord documents no replay window. A request older than an interaction token's life (15 minutes) can
    /// not be answered anyway, so that is the window: generous enough for clock skew, short enough to stop old replays.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PublicKey? _key;
    private readonly TimeProvider _time;

    public DiscordSignatureVerifier(string? publicKeyHex, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var bytes = FromHex(publicKeyHex?.Trim(), 32);
        if (bytes is not null)
        {
            try
            {
                _key = PublicKey.Import(SignatureAlgorithm.Ed25519, bytes, KeyBlobFormat.RawPublicKey);
            }
            catch (FormatException)
            {
                _key = null;
            }
        }
    }

    /// <summary>False when no usable public key is configured: every request is then rejected.</summary>
    public bool HasKey => _key is not null;

    public bool IsConfigured => HasKey;

    public bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        var timestamp = header(TimestampHeader);
        return Verify(header(SignatureHeader), timestamp, body) && IsFresh(timestamp, _time.GetUtcNow());
    }

    public bool Verify(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (_key is null || timestamp is null)
        {
            return false;
        }
        var signature = FromHex(signatureHex, 64);
        if (signature is null)
        {
            return false;
        }
        var prefix = Encoding.UTF8.GetByteCount(timestamp);
        var message = new byte[prefix + body.Length];
        Encoding.UTF8.GetBytes(timestamp, message);
        body.CopyTo(message.AsSpan(prefix));
        return SignatureAlgorithm.Ed25519.Verify(_key, message, signature);
    }

    /// <summary>Whether the timestamp (Unix seconds) is within <see cref="Window"/> of now, either way.</summary>
    public static bool IsFresh(string? timestamp, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }
        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age.Duration() <= Window;
    }

    private static byte[]? FromHex(string? hex, int length)
    {
        if (hex is null || hex.Length != length * 2)
        {
            return null;
        }
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return null;
            }
        }
        return Convert.FromHexString(hex);
    }
}
