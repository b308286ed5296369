using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace PgChatOps.Hosting;

public static class PgChatOpsLogging
{
    /// <summary>
    /// One JSON event per line when standard output is not a terminal (containers, systemd), readable lines otherwise.
    /// HTTP client request logs are kept at warning: their URLs can carry Slack response_url and Discord interaction tokens.
    /// </summary>
    public static IHostApplicationBuilder AddPgChatOpsLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (Console.IsOutputRedirected)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.ColorBehavior = LoggerColorBehavior.Default;
            });
        }
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        return builder;
    }
}
