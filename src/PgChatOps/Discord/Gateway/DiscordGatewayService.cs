using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.Watch;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// <c>Discord:Mode=gateway</c>: runs the <see cref="DiscordGatewayTransport"/> while this replica holds the gateway
/// lease in the state store, so that all replicas together keep exactly one Gateway session per bot. The holder renews
/// the lease every <see cref="DiscordGatewayOptions.LeaseRenewInterval"/>; the others try to take it as often and take
/// over once a dead holder's lease expires. A graceful stop closes the session and releases the lease at once.
/// </summary>
/// <remarks>
/// When Discord refuses the bot for good (a rejected token, 4004, 4010–4014) this replica stops, releases the lease and
/// never competes for it again until restarted; <c>/readyz</c> then says why. Another replica may take the lease and
/// fail the same way once, but nothing retries in a loop: a bad token cannot fix itself, an operator must.
/// </remarks>
internal sealed class DiscordGatewayService : BackgroundService, IOutboundLink
{
    private readonly DiscordOptions _discord;
    private readonly DiscordGatewayOptions _options;
    private readonly IServiceProvider _services;
    private readonly StateStoreMigrator _migrator;
    private readonly WatchLease _lease;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordGatewayService> _log;
    private DiscordGatewayTransport? _transport;
    private volatile bool _holding;
    private volatile string? _otherHolder;
    private volatile string? _fatal;
    private volatile bool _leaseAsked;

    public DiscordGatewayService(
        IOptions<DiscordOptions> discord,
        DiscordGatewayOptions options,
        IServiceProvider services,
        StateStore store,
        StateStoreMigrator migrator,
        IMeterFactory meters,
        TimeProvider time,
        ILogger<DiscordGatewayService> log)
    {
        (_discord, _options, _services, _migrator, _time, _log) = (discord.Value, options, services, migrator, time, log);
        _lease = new WatchLease(store, LeaseNameFor(_discord.ApplicationId));
        var meter = meters.Create(PgChatOpsMetrics.MeterName);
        meter.CreateObservableGauge("pgchatops.discord.gateway.lease", () => Gauge(_holding),
            description: "1 while this replica holds the Discord Gateway lease (gateway mode only)");
        meter.CreateObservableGauge("pgchatops.discord.gateway.connected", () => Gauge(Status.Ready),
            description: "1 while this replica has an established Discord Gateway session (gateway mode only)");
    }

    /// <summary>One lease per bot: an application has one bot token.</summary>
    public static string LeaseNameFor(string? applicationId) => "discord-gateway:" + applicationId;

    /// <summary>This replica's name in the lease: unique per process start.</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public bool IsHolding => _holding;

    public DiscordGatewayStatus Status => _transport?.Status ?? DiscordGatewayStatus.Initial;

    OutboundLinkStatus? IOutboundLink.Status => Report();

    private OutboundLinkStatus? Report()
    {
        if (!_discord.IsGateway)
        {
            return null;
        }
        if (_fatal is { } fatal)
        {
            return new OutboundLinkStatus(false, $"discord gateway: stopped for good: {fatal}; fix the setting and restart");
        }
        if (!_leaseAsked)
        {
            return new OutboundLinkStatus(true, "discord gateway: starting (the gateway lease was not asked for yet)");
        }
        if (!_holding)
        {
            return new OutboundLinkStatus(true, $"discord gateway: standby (held by {_otherHolder ?? "no replica yet"})");
        }
        var status = Status;
        var now = _time.GetUtcNow();
        if (status.Ready)
        {
            _connectedAt = now;
            return new OutboundLinkStatus(true, $"discord gateway: connected (this replica holds the lease; connection {status.Connections}, sequence {status.LastSequence})");
        }
        // Holding the lease but without a session for a minute: this replica is deaf, and the only one that may listen.
        var since = new[] { _holdingSince, _connectedAt ?? _holdingSince, status.LastHeartbeatAck ?? _holdingSince }.Max();
        return now - since > _options.NotConnectedFor
            ? new OutboundLinkStatus(false, $"discord gateway: this replica holds the lease but has had no session for {Replies.Format.Duration(now - since)}; see the log for why")
            : new OutboundLinkStatus(true, "discord gateway: connecting (this replica holds the lease)");
    }

    private DateTimeOffset _holdingSince;
    private DateTimeOffset? _connectedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_discord.IsGateway)
        {
            return;
        }
        _transport = new DiscordGatewayTransport(
            _services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(DiscordGatewayTransport)),
            _options,
            _services.GetRequiredService<DiscordGatewayInteractionHandler>(),
            _time,
            _services.GetRequiredService<ILogger<DiscordGatewayTransport>>());
        await _migrator.Ready.WaitAsync(stoppingToken);

        CancellationTokenSource? runStop = null;
        Task? running = null;
        DateTimeOffset? renewedAt = null;
        try
        {
            while (true)
            {
                // The lease counts from when it was asked for, not from when the answer came: a slow answer must not
                // stretch our idea of how long it is ours.
                var asked = _time.GetUtcNow();
                var held = await RenewAsync(running is not null, renewedAt, stoppingToken);
                if (held)
                {
                    renewedAt = asked;
                }
                if (held && running is null)
                {
                    _log.LeaseTaken(Holder);
                    _holdingSince = _time.GetUtcNow();
                    _connectedAt = null;
                    _holding = true;
                    runStop = new CancellationTokenSource();
                    running = _transport.RunAsync(GatewayStop.EndSession, runStop.Token);
                }
                else if (!held && running is not null)
                {
                    _log.LeaseLost(Holder);
                    await StopRunAsync(runStop!, running);
                    (running, runStop, renewedAt, _holding) = (null, null, null, false);
                }
                else if (!held)
                {
                    // Not running (a transport that ended unexpectedly is restarted only while the lease is ours).
                    (renewedAt, _holding) = (null, false);
                }

                var tick = Task.Delay(_options.LeaseRenewInterval, _time, stoppingToken);
                await (running is null ? tick : Task.WhenAny(tick, running));
                if (running is { IsCompleted: true })
                {
                    // Discord refused the bot for good (4004, 4010-4014, a rejected token): stop for good. Anything else
                    // that ended the transport is logged, and the next turn starts it again while the lease is ours.
                    if (running.Exception?.GetBaseException() is { } unexpected and not DiscordGatewayFatalException)
                    {
                        _log.TransportFailed(unexpected.GetType().Name + ": " + unexpected.Message);
                        runStop?.Dispose();
                        (running, runStop) = (null, null);
                        await Task.Delay(_options.LeaseRenewInterval, _time, stoppingToken); // never a tight restart loop
                        continue;
                    }
                    await RetireAsync(running);
                    (running, _holding) = (null, false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (running is not null)
            {
                await StopRunAsync(runStop!, running);
                await ReleaseAsync();
            }
            _holding = false;
            runStop?.Dispose();
        }
    }

    /// <summary>
    /// Takes or renews the lease. When the state store does not answer, a running session is kept only while the
    /// lease is certainly still ours (by our clock, with one renew interval to spare); after that another replica may
    /// hold it, and two sessions must never run.
    /// </summary>
    private async Task<bool> RenewAsync(bool running, DateTimeOffset? renewedAt, CancellationToken stopping)
    {
        // A renewal that has not answered by the time the lease may have passed to another replica counts as failed:
        // a state store that hangs must not keep this session running beside the next holder's.
        var left = renewedAt is { } last ? last + _options.LeaseTimeToLive - _options.LeaseRenewInterval - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        using var bound = new CancellationTokenSource(left > TimeSpan.Zero || left == Timeout.InfiniteTimeSpan ? left : TimeSpan.Zero, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, bound.Token);
        var ct = linked.Token;
        try
        {
            var held = await _lease.TryAcquireAsync(Holder, _options.LeaseTimeToLive, ct);
            _leaseAsked = true;
            if (!held)
            {
                var current = await _lease.CurrentAsync(ct);
                if (current?.Holder != _otherHolder)
                {
                    _otherHolder = current?.Holder;
                    _log.Standby(_otherHolder);
                }
            }
            return held;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // Any failure to renew (the state store down or too slow, or something unexpected) counts as not renewed:
            // it must neither stop the host nor let two sessions run.
            _log.LeaseFailed(ex is NpgsqlException or TimeoutException or StateStoreUnavailableException ? DatabaseErrors.Cause(ex) : ex.GetType().Name + ": " + ex.Message);
            return running && renewedAt is { } at && _time.GetUtcNow() - at < _options.LeaseTimeToLive - _options.LeaseRenewInterval;
        }
    }

    private async Task RetireAsync(Task running)
    {
        string reason;
        try
        {
            await running;
            reason = "the Gateway transport ended by itself";
        }
        catch (Exception ex)
        {
            reason = ex.Message;
        }
        _fatal = reason;
        _log.Retired(reason);
        await ReleaseAsync();
    }

    private static async Task StopRunAsync(CancellationTokenSource runStop, Task running)
    {
        await runStop.CancelAsync();
        try
        {
            await running;
        }
        catch (Exception)
        {
            // Stopping: a fatal end at the same moment changes nothing.
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _lease.ReleaseAsync(Holder, timeout.Token);
            _log.LeaseReleased();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StateStoreUnavailableException or OperationCanceledException)
        {
            // It expires by itself within the TTL.
            _log.LeaseFailed(ex is OperationCanceledException ? "timed out" : DatabaseErrors.Cause(ex));
        }
    }

    private IEnumerable<Measurement<int>> Gauge(bool value) =>
        _discord.IsGateway ? [new Measurement<int>(value ? 1 : 0)] : [];
}
