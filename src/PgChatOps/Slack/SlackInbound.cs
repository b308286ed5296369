using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;

namespace PgChatOps.Slack;

/// <summary>The raw bytes of a Slack request, read before any form or JSON binding, and their signature check.</summary>
public static class SlackInbound
{
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public const string SignatureHeader = "X-Slack-Signature";

    public static bool IsSigned(HttpRequest request, byte[] body, SlackSignatureVerifier verifier) =>
        verifier.IsValid(Single(request.Headers[TimestampHeader]), Single(request.Headers[SignatureHeader]), body);

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    public static IResult TooLarge() => Results.StatusCode(StatusCodes.Status413PayloadTooLarge);

    public static IResult Unauthorized() => Results.Text("invalid or missing Slack signature\n", statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>A non-empty JSON string value, or null for anything else (missing, null, number, object…).</summary>
    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } s ? s : null;
}
