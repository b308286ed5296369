using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// <c>Slack:Mode=socket</c>: runs the Socket Mode transport for as long as the host runs, with a handler that feeds
/// every envelope into the same handling as the HTTP endpoints. Its link is up while at least one connection has
/// said hello; a link Slack disabled (<c>link_disabled</c>) or an app token it keeps refusing stops it for good,
/// which <c>/readyz</c> shows. In HTTP mode it does nothing.
/// </summary>
internal sealed class SlackSocketModeService : BackgroundService, IOutboundLink
{
    public const string HttpClientName = "SlackSocketMode";

    private readonly bool _enabled;
    private readonly SlackSocketModeTransport? _transport;
    private readonly SocketModeSettings? _settings;
    private readonly ILogger<SlackSocketModeService> _log;
    private int _stopped = -1;

    public SlackSocketModeService(IServiceProvider services, IOptions<PgChatOpsOptions> options, ILogger<SlackSocketModeService> log)
    {
        _log = log;
        _enabled = options.Value.Slack.IsSocketMode();
        if (!_enabled)
        {
            return;
        }
        _settings = services.GetRequiredService<SocketModeSettings>();
        var handler = new SlackSocketModeHandler(
            services.GetRequiredService<SlackInbound>(),
            services.GetRequiredService<SlackReplyChannel>(),
            services.GetRequiredService<SlackApiClient>(),
            _settings.InlineWindow - SlackSocketModeHandler.HandOverMargin,
            services.GetRequiredService<ILogger<SlackSocketModeHandler>>());
        // Slack's deadlines are real seconds whatever clock the app's business logic runs on (tests pin that one).
        _transport = new SlackSocketModeTransport(
            services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            _settings,
            handler,
            TimeProvider.System,
            services.GetRequiredService<ILogger<SlackSocketModeTransport>>());
    }

    /// <summary>The transport's settings from <c>Slack</c>: the app token, the API base URL; Slack's defaults for the rest.</summary>
    public static SocketModeSettings SettingsFrom(SlackOptions slack) => new()
    {
        AppToken = slack.AppToken?.Trim() ?? "",
        ApiBaseUrl = new Uri(slack.ApiBaseUrl.EndsWith('/') ? slack.ApiBaseUrl : slack.ApiBaseUrl + "/", UriKind.Absolute),
    };

    public OutboundLinkStatus? Status => !_enabled
        ? null
        : Volatile.Read(ref _stopped) is var stopped and >= 0
            ? new(false, $"slack socket mode: stopped ({Describe((SocketModeStopReason)stopped)}); restart the replica once that is fixed")
            : _transport!.IsConnected
                ? new(true, "slack socket mode: connected")
                : new(false, "slack socket mode: not connected (connecting or reconnecting to Slack)");

    /// <summary>Completes once a connection has said hello (tests, and nothing else, wait on it).</summary>
    internal Task WhenConnectedAsync(CancellationToken ct) =>
        _transport?.WhenConnectedAsync(ct) ?? throw new InvalidOperationException("Slack:Mode is not socket.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }
        await Task.Yield();
        SocketModeLog.Starting(_log, _settings!.Connections);
        var reason = await _transport!.RunAsync(stoppingToken);
        if (reason != SocketModeStopReason.Cancelled)
        {
            Volatile.Write(ref _stopped, (int)reason);
            SocketModeLog.StoppedForGood(_log, reason);
        }
    }

    private static string Describe(SocketModeStopReason reason) => reason switch
    {
        SocketModeStopReason.LinkDisabled => "Slack disabled Socket Mode for this app: link_disabled",
        SocketModeStopReason.Unauthorized => "apps.connections.open keeps refusing PgChatOps:Slack:AppToken",
        _ => reason.ToString(),
    };
}
