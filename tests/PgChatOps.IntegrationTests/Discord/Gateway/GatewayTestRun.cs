using Microsoft.Extensions.Logging;
using PgChatOps.Discord.Gateway;
using PgChatOps.IntegrationTests.Operations;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

/// <summary>
/// A <see cref="DiscordGatewayTransport"/> running against a <see cref="FakeDiscordGateway"/> with protocol timings
/// shrunk to milliseconds. Disposing stops it and waits for <see cref="DiscordGatewayTransport.RunAsync(GatewayStop, CancellationToken)"/> to return.
/// </summary>
internal sealed class GatewayTestRun : IAsyncDisposable
{
    private readonly HttpClient _http = new();
    private readonly ILoggerFactory _logs;
    private CancellationTokenSource _stop = new();

    public GatewayTestRun(FakeDiscordGateway fake, Func<DiscordGatewayOptions, DiscordGatewayOptions>? configure = null)
    {
        _logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        var options = FastOptions(fake);
        Options = configure?.Invoke(options) ?? options;
        Transport = new DiscordGatewayTransport(_http, Options, Handler, TimeProvider.System, _logs.CreateLogger<DiscordGatewayTransport>());
    }

    /// <summary>The protocol's waits shrunk to milliseconds, against the fake; tests that need other values start from these.</summary>
    public static DiscordGatewayOptions FastOptions(FakeDiscordGateway fake) => new(FakeDiscordGateway.Token, fake.ApiBaseUrl)
    {
        IdentifyInterval = TimeSpan.FromMilliseconds(100),
        InvalidSessionDelayMin = TimeSpan.FromMilliseconds(400),
        InvalidSessionDelayMax = TimeSpan.FromMilliseconds(600),
        ReconnectDelayBase = TimeSpan.FromMilliseconds(50),
        ReconnectDelayMax = TimeSpan.FromMilliseconds(400),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        StopDrainTimeout = TimeSpan.FromSeconds(2),
    };

    public DiscordGatewayOptions Options { get; }

    public RecordingInteractionHandler Handler { get; } = new();

    public CapturedLogs Logs { get; } = new();

    public DiscordGatewayTransport Transport { get; }

    public Task Running { get; private set; } = Task.CompletedTask;

    public GatewayTestRun Start(GatewayStop onStop = GatewayStop.EndSession)
    {
        _stop = new CancellationTokenSource();
        Running = Transport.RunAsync(onStop, _stop.Token);
        return this;
    }

    /// <summary>Cancels the run and waits (bounded) for it to return.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception)
        {
            // A test that expected a failure already looked at it.
        }
        _stop.Dispose();
        _http.Dispose();
        _logs.Dispose();
    }
}
