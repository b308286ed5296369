namespace PgChatOps.Hosting;

/// <summary>A request's raw bytes, read before any form or JSON binding: signatures are over these exact bytes.</summary>
public static class RawBody
{
    private static readonly object VerifiedKey = new();

    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The body whose signature <see cref="SignedRequestFilter{TVerifier}"/> checked for this request.</summary>
    public static byte[] Verified(HttpContext context) =>
        context.Items.TryGetValue(VerifiedKey, out var body) && body is byte[] bytes
            ? bytes
            : throw new InvalidOperationException("This endpoint is not behind the signed-request filter.");

    internal static void SetVerified(HttpContext context, byte[] body) => context.Items[VerifiedKey] = body;
}
