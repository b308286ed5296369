namespace PgChatOps.Hosting;

/// <summary>
/// A platform's request signature, checked over the raw body and the request's headers (one value each, or null),
/// with its replay window on the verifier's own clock. Fails closed: without its secret or key nothing verifies.
/// </summary>
public interface ISignedRequestVerifier
{
    /// <summary>Whether the verifier has a usable secret or key at all (only for the log line of a refusal).</summary>
    bool IsConfigured { get; }

    bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body);
}
