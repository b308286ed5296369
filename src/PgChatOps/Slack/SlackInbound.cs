using PgChatOps.Hosting;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;

namespace PgChatOps.Slack;

/// <summary>The raw bytes of a Slack request, read before any form or JSON binding, and their signature check.</summary>
public static class SlackInbound
{
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string SignatureHeader = "X-Slack-Signature";

    /// <summary>
    /// The raw body of a signed request, or the answer to give instead: 413 when it is too large, 401 when its
    /// signature does not verify. Nothing is parsed before both checks pass.
    /// </summary>
    public static async Task<(byte[]? Body, IResult? Refusal)> ReadSignedAsync(HttpRequest request, int limit, SlackSignatureVerifier verifier)
    {
        var body = await RawBody.ReadAsync(request, limit, request.HttpContext.RequestAborted);
        if (body is null)
        {
            return (null, TooLarge());
        }
        return IsSigned(request, body, verifier) ? (body, null) : (null, Unauthorized());
    }

    public static bool IsSigned(HttpRequest request, byte[] body, SlackSignatureVerifier verifier) =>
        verifier.IsValid(Single(request.Headers[TimestampHeader]), Single(request.Headers[SignatureHeader]), body);

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    public static IResult TooLarge() => Results.StatusCode(StatusCodes.Status413PayloadTooLarge);

    public static IResult Unauthorized() => Results.Text("invalid or missing Slack signature\n", statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>A non-empty JSON string value, or null for anything else (missing, null, number, object…).</summary>
    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } s ? s : null;
}
