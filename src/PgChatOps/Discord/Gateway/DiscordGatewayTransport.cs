using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Receives interactions over the Discord Gateway (<c>Discord:Mode=gateway</c>): no inbound HTTP. It reads
/// <c>GET {ApiBaseUrl}gateway/bot</c>, connects to its <c>url</c> with <c>?v=10&amp;encoding=json</c>, identifies
/// with no intents, and hands each <c>INTERACTION_CREATE</c> to an <see cref="IDiscordInteractionHandler"/>. It
/// reconnects by itself: Resume on <c>resume_gateway_url</c> after op 7, a drop, a missed heartbeat ACK, op 9 d:true
/// or a resumable close code; a fresh Identify after op 9 d:false, 4007 or 4009; and stops for good on the close
/// codes that cannot succeed again (4004, 4010–4014). It only moves bytes: answering is the handler's job.
/// </summary>
/// <remarks>
/// One transport is one unsharded connection at a time. Start it with <see cref="RunAsync(GatewayStop, CancellationToken)"/>
/// and stop it by cancelling; a later run on the same instance resumes a session kept with <see cref="GatewayStop.KeepResumable"/>.
/// </remarks>
internal sealed class DiscordGatewayTransport(
    HttpClient http,
    DiscordGatewayOptions options,
    IDiscordInteractionHandler handler,
    TimeProvider time,
    ILogger<DiscordGatewayTransport> log)
{
    /// <summary>Resume attempts in a row that never reached RESUMED before falling back to Identify.</summary>
    public const int MaxResumeAttempts = 3;

    private readonly GatewaySession _session = new();
    private GatewayBotInfo? _gatewayBot;
    private DateTimeOffset _gatewayBotReadAt;
    private DateTimeOffset? _lastIdentify;
    private volatile GatewayConnection? _connection;
    private volatile string? _fatal;
    private int _connections;
    private int _running;

    public DiscordGatewayStatus Status => new(
        _connection?.IsReady ?? false,
        _session.Id,
        _session.Sequence,
        _session.LastHeartbeatAck,
        _session.ApplicationId,
        Volatile.Read(ref _connections),
        _fatal);

    /// <summary>Runs until <paramref name="ct"/> is cancelled, then ends the session (close 1000).</summary>
    public Task RunAsync(CancellationToken ct) => RunAsync(GatewayStop.EndSession, ct);

    /// <summary>
    /// Connects, and keeps connected, until <paramref name="ct"/> is cancelled; then closes as <paramref name="onStop"/>
    /// says, lets running handlers finish (bounded) and returns. Throws <see cref="DiscordGatewayFatalException"/>
    /// when Discord refuses the bot in a way reconnecting cannot fix.
    /// </summary>
    public async Task RunAsync(GatewayStop onStop, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("This Discord Gateway transport is already running.");
        }
        _fatal = null;
        var dispatcher = new GatewayInteractionDispatcher(handler, options, time, log);
        try
        {
            await ConnectAndReconnectAsync(onStop, dispatcher, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (DiscordGatewayFatalException ex)
        {
            _fatal = ex.Message;
            log.Fatal(ex.Message);
            throw;
        }
        finally
        {
            _connection = null;
            await dispatcher.DisposeAsync();
            Volatile.Write(ref _running, 0);
        }
        log.Stopped(onStop);
    }

    private async Task ConnectAndReconnectAsync(GatewayStop onStop, GatewayInteractionDispatcher dispatcher, CancellationToken ct)
    {
        var failures = 0;
        var resumeFailures = 0;
        var next = _session.CanResume ? GatewayNextStep.Resume : GatewayNextStep.Identify;
        var wait = TimeSpan.Zero;
        while (true)
        {
            wait = Max(wait, GatewayBackoff.Delay(failures, options.ReconnectDelayBase, options.ReconnectDelayMax, Random.Shared));
            if (wait > TimeSpan.Zero)
            {
                log.ReconnectDelay(wait);
                await Task.Delay(wait, time, ct);
            }
            wait = TimeSpan.Zero;
            ct.ThrowIfCancellationRequested();

            var resume = next == GatewayNextStep.Resume && _session.CanResume;
            Uri url;
            if (resume)
            {
                url = _session.ResumeUrl!;
            }
            else
            {
                _session.Forget();
                try
                {
                    url = await PrepareIdentifyAsync(ct);
                }
                // A network error, a 5xx or 429, or an answer of an unexpected shape: try again after the backoff.
                catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException
                    || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    log.GatewayBotFailed(ex.Message);
                    failures++;
                    continue;
                }
            }

            var end = await ConnectOnceAsync(url, resume, onStop, dispatcher, ct);
            if (end.Stopped)
            {
                if (onStop == GatewayStop.EndSession)
                {
                    _session.Forget();
                }
                return;
            }
            if (end.Next == GatewayNextStep.Stop)
            {
                throw new DiscordGatewayFatalException(
                    $"Discord closed the Gateway with {end.CloseCode}: {GatewayCloseCode.Describe(end.CloseCode ?? 0)}", end.CloseCode);
            }
            failures = end.ReachedSession ? 0 : failures + 1;
            resumeFailures = !resume || end.ReachedSession ? 0 : resumeFailures + 1;
            next = end.Next == GatewayNextStep.Resume && resumeFailures >= MaxResumeAttempts ? GatewayNextStep.Identify : end.Next;
            if (end.InvalidSession)
            {
                wait = GatewayBackoff.Between(options.InvalidSessionDelayMin, options.InvalidSessionDelayMax, Random.Shared);
            }
        }
    }

    private async Task<GatewayConnectionEnd> ConnectOnceAsync(Uri url, bool resume, GatewayStop onStop, GatewayInteractionDispatcher dispatcher, CancellationToken ct)
    {
        var number = Interlocked.Increment(ref _connections);
        var step = resume ? GatewayNextStep.Resume : GatewayNextStep.Identify;
        log.Connecting(url.Host, resume ? "resume" : "identify", number);
        GatewaySocket socket;
        try
        {
            socket = await GatewaySocket.ConnectAsync(GatewayUrl.WithQuery(url), time, options.ConnectTimeout, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Whatever the connect threw (a refused socket, a URL ClientWebSocket will not take): back off and try again.
            log.ConnectFailed(ex.Message);
            return new GatewayConnectionEnd(step, "could not connect");
        }
        using (socket)
        {
            using var connection = new GatewayConnection(socket, _session, resume, options, dispatcher, time, log, () => _lastIdentify = time.GetUtcNow());
            _connection = connection;
            var end = await connection.RunAsync(onStop, ct);
            log.ConnectionEnded(number, end.Reason, end.Next);
            return end;
        }
    }

    /// <summary>
    /// The URL to identify on, once an identify is allowed: the session start limit has starts left (or we
    /// waited for its reset), and the last identify is <see cref="DiscordGatewayOptions.IdentifyInterval"/> ago.
    /// </summary>
    private async Task<Uri> PrepareIdentifyAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_gatewayBot is null || _gatewayBot.Remaining <= 0 || time.GetUtcNow() - _gatewayBotReadAt > options.GatewayBotMaxAge)
            {
                _gatewayBot = await ReadGatewayBotAsync(ct);
                _gatewayBotReadAt = time.GetUtcNow();
            }
            if (_gatewayBot.Remaining > 0)
            {
                break;
            }
            log.SessionStartLimitExhausted(_gatewayBot.Total, _gatewayBot.ResetAfter);
            await Task.Delay(_gatewayBot.ResetAfter, time, ct);
            _gatewayBot = null;
        }
        if (_lastIdentify is { } last && time.GetUtcNow() - last is var since && since < options.IdentifyInterval)
        {
            await Task.Delay(options.IdentifyInterval - since, time, ct);
        }
        _gatewayBot = _gatewayBot with { Remaining = _gatewayBot.Remaining - 1 };
        return _gatewayBot.Url;
    }

    private async Task<GatewayBotInfo> ReadGatewayBotAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayUrl.ApiUrl(options.ApiBaseUrl, "gateway/bot"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bot", options.BotToken);
        request.Headers.TryAddWithoutValidation("User-Agent", DiscordApiClient.UserAgent);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new DiscordGatewayFatalException($"Discord rejected Discord:BotToken ({(int)response.StatusCode} from gateway/bot)");
        }
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        var root = json.RootElement;
        var limit = root.GetProperty("session_start_limit");
        var url = new Uri(root.GetProperty("url").GetString() ?? throw new JsonException("gateway/bot has no url"));
        if (!GatewayUrl.IsSafeSocket(url, options.ApiBaseUrl))
        {
            // Not cached: the next try asks gateway/bot again after the backoff.
            throw new FormatException($"gateway/bot gave {url.Scheme}://{url.Host}, not a wss:// URL; the bot token is never sent over it");
        }
        var info = new GatewayBotInfo(
            url,
            root.TryGetProperty("shards", out var shards) && shards.ValueKind == JsonValueKind.Number ? shards.GetInt32() : 1,
            limit.GetProperty("total").GetInt32(),
            limit.GetProperty("remaining").GetInt32(),
            TimeSpan.FromMilliseconds(limit.GetProperty("reset_after").GetDouble()),
            limit.TryGetProperty("max_concurrency", out var mc) && mc.ValueKind == JsonValueKind.Number ? mc.GetInt32() : 1);
        if (info.Shards > 1)
        {
            log.ShardsRecommended(info.Shards);
        }
        return info;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
