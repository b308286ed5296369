using PgChatOps.Discord;
using PgChatOps.Slack;
using PgChatOps.Watch;

namespace PgChatOps.Hosting;

/// <summary>
/// The alert sink of <c>serve</c>: each alert goes to the adapter of its rule's platform (Slack, Discord). A rule
/// whose platform has no adapter here (<c>console</c>) goes to the log.
/// </summary>
public sealed class PlatformAlertSink(SlackAlertSink slack, DiscordAlertSink discord, ILoggerFactory logs) : IAlertSink
{
    private readonly LogAlertSink _log = new(logs.CreateLogger<LogAlertSink>());
    private readonly ILogger _logger = logs.CreateLogger<PlatformAlertSink>();

    public Task<string> OpenAsync(Alert alert, CancellationToken ct) => For(alert).OpenAsync(alert, ct);

    public Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct) => For(alert).UpdateAsync(messageRef, alert, ct);

    public Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct) => For(alert).ResolveAsync(messageRef, alert, ct);

    private IAlertSink For(Alert alert)
    {
        if (string.Equals(alert.Platform, "slack", StringComparison.OrdinalIgnoreCase))
        {
            return slack;
        }
        if (string.Equals(alert.Platform, "discord", StringComparison.OrdinalIgnoreCase))
        {
            return discord;
        }
        AlertLog.NoAdapter(_logger, alert.Platform);
        return _log;
    }
}
