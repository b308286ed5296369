using Microsoft.Extensions.Primitives;

namespace PgChatOps.Hosting;

/// <summary>
/// The HTTP transport's one gate for platform requests: reads the raw body (413 over the endpoint's limit), checks
/// its signature with <typeparamref name="TVerifier"/> (401 when it does not verify) and only then lets the endpoint
/// parse it, from <see cref="RawBody.Verified"/>. Endpoints never verify themselves.
/// </summary>
internal sealed partial class SignedRequestFilter<TVerifier>(TVerifier verifier, SignedRequestRules rules, ILogger<SignedRequestFilter<TVerifier>> log)
    : IEndpointFilter
    where TVerifier : ISignedRequestVerifier
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var body = await RawBody.ReadAsync(http.Request, rules.MaxBody, http.RequestAborted);
        if (body is null)
        {
            return rules.TooLarge;
        }
        if (rules.AnswerUnsigned?.Invoke(body) is { } answer)
        {
            return answer;
        }
        var headers = http.Request.Headers;
        if (!verifier.IsAuthentic(name => Single(headers[name]), body))
        {
            // Discord sends bad signatures on purpose to test the endpoint: routine, so not a warning.
            Refused(log, rules.Platform, verifier.IsConfigured ? "" : " (its secret or public key is not set or not valid)");
            return rules.Unauthorized;
        }
        RawBody.SetVerified(http, body);
        return await next(context);
    }

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rejected a {Platform} request with a missing, invalid or stale signature{NoKey}.")]
    private static partial void Refused(ILogger logger, string platform, string noKey);
}

/// <summary>What one signed endpoint accepts and how it refuses.</summary>
/// <param name="AnswerUnsigned">
/// An answer for a request that needs no signature because it does nothing (Slack's ssl_check), or null.
/// </param>
internal sealed record SignedRequestRules(string Platform, int MaxBody, IResult TooLarge, IResult Unauthorized, Func<byte[], IResult?>? AnswerUnsigned = null);

internal static class SignedRequestEndpoints
{
    /// <summary>Puts the endpoint behind <see cref="SignedRequestFilter{TVerifier}"/>, inside the malformed-request guard.</summary>
    public static RouteHandlerBuilder RequireSignature<TVerifier>(this RouteHandlerBuilder endpoint, SignedRequestRules rules)
        where TVerifier : ISignedRequestVerifier =>
        endpoint
            .AddEndpointFilter<MalformedRequestFilter>()
            .AddEndpointFilter((context, next) => ActivatorUtilities
                .CreateInstance<SignedRequestFilter<TVerifier>>(context.HttpContext.RequestServices, rules)
                .InvokeAsync(context, next));
}
