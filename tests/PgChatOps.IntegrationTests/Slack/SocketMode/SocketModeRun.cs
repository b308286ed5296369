using PgChatOps.Slack.SocketMode;

namespace PgChatOps.IntegrationTests.Slack.SocketMode;

/// <summary>A fake Slack, a recording handler and a running transport pointed at them; disposed together.</summary>
internal sealed class SocketModeRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new();

    private SocketModeRun(FakeSlackSocketMode slack, SocketModeSettings settings)
    {
        Slack = slack;
        Settings = settings;
        Transport = new SlackSocketModeTransport(_http, settings, Handler, TimeProvider.System, Log);
    }

    public FakeSlackSocketMode Slack { get; }

    public SocketModeSettings Settings { get; }

    public RecordingHandler Handler { get; } = new();

    public ListLogger<SlackSocketModeTransport> Log { get; } = new();

    public SlackSocketModeTransport Transport { get; }

    public Task<SocketModeStopReason> Running { get; private set; } = null!;

    /// <summary>Fast reconnects, one connection, unless <paramref name="configure"/> says otherwise.</summary>
    public static async Task<SocketModeRun> StartAsync(
        Func<SocketModeSettings, SocketModeSettings>? configure = null, Action<FakeSlackSocketMode>? arrange = null, bool run = true)
    {
        var slack = await FakeSlackSocketMode.StartAsync();
        arrange?.Invoke(slack);
        var settings = new SocketModeSettings
        {
            AppToken = FakeSlackSocketMode.AppToken,
            ApiBaseUrl = slack.ApiBaseUrl,
            Connections = 1,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            CloseGrace = TimeSpan.FromSeconds(4),
        };
        var started = new SocketModeRun(slack, configure?.Invoke(settings) ?? settings);
        if (run)
        {
            started.Running = started.Transport.RunAsync(started._stop.Token);
        }
        return started;
    }

    /// <summary>Waits until the transport reports itself connected and returns the newest socket.</summary>
    public async Task<FakeSlackSocket> ConnectedAsync(int socket = 1)
    {
        var accepted = await Slack.WaitForSocketAsync(socket);
        await accepted.HelloSent.WaitAsync(TimeSpan.FromSeconds(15));
        await Transport.WhenConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        return accepted;
    }

    public Task<SocketModeStopReason> StopAsync()
    {
        _stop.Cancel();
        return Running.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested && Running is not null)
        {
            await StopAsync();
        }
        await Slack.DisposeAsync();
        _stop.Dispose();
        _http.Dispose();
    }
}
