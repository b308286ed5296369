using System.Text.Json;

namespace PgChatOps.Hosting;

/// <summary>
/// A signed request whose JSON or form has an unexpected shape (a string where an object belongs, a fraction
/// where an integer belongs) gets 400 with a short reason, never a 500 and never an action.
/// </summary>
public sealed partial class MalformedRequestFilter(ILogger<MalformedRequestFilter> log) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or InvalidCastException or KeyNotFoundException or IndexOutOfRangeException)
        {
            Refused(log, context.HttpContext.Request.Path, ex.GetType().Name);
            return Results.Text("malformed request\n", statusCode: StatusCodes.Status400BadRequest);
        }
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Refused a malformed request to {Path}: {Error}")]
    private static partial void Refused(ILogger logger, PathString path, string error);
}
