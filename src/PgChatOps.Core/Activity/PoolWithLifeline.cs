using Microsoft.Extensions.Logging;
using Npgsql;
using PgChatOps.Hosting;

namespace PgChatOps.Activity;

/// <summary>
/// A small pool for everyday work and, behind it, a <see cref="Activity.Lifeline"/> for when the server is full:
/// when the pool cannot open a connection because every slot is taken (SQLSTATE 53300), the work runs on the
/// lifeline instead. Every connection carries the bot's per-process application name, and its pid is recorded.
/// </summary>
public sealed class PoolWithLifeline : IAsyncDisposable
{
    private readonly BackendPids _pids;

    internal PoolWithLifeline(string name, string connectionString, TimeSpan statementTimeout, MonitoringOptions monitoring, ILogger log)
    {
        Server = OwnBackends.ServerOf(connectionString);
        _pids = OwnBackends.NewSet(Server);
        var pids = _pids;
        Pool = Build(connectionString, statementTimeout, monitoring.PoolIdleLifetime, pooled: true, pids);
        LifelineSource = Build(connectionString, statementTimeout, monitoring.PoolIdleLifetime, pooled: false, pids: null);
        Lifeline = new Lifeline(name, LifelineSource, pids, monitoring.LifelineCheckInterval, log);
    }

    public NpgsqlDataSource Pool { get; }

    /// <summary>The server (host and port) this pool and its lifeline connect to.</summary>
    internal string Server { get; }

    public Lifeline Lifeline { get; }

    private NpgsqlDataSource LifelineSource { get; }

    /// <summary>
    /// A pooled connection, or the lifeline's when the server is full, for an action or a state-store write: it
    /// waits its turn on the lifeline, ahead of reads. Throws the pool's error when neither is had.
    /// </summary>
    public Task<ConnectionLease> OpenAsync(CancellationToken ct) => OpenAsync(LifelineUse.Action, ct);

    /// <summary>
    /// A pooled connection, or the lifeline's when the server is full. A read waits only briefly for the
    /// lifeline, behind any action, and otherwise throws <see cref="LifelineBusyException"/>.
    /// </summary>
    internal async Task<ConnectionLease> OpenAsync(LifelineUse use, CancellationToken ct)
    {
        // An action never queues behind the bot's own reads: when the pool has no connection to give within a
        // moment (every one busy with slow reads on a slow server, or logging in is slow), it takes the lifeline.
        using var quick = use == LifelineUse.Action && Lifeline.IsHeld ? CancellationTokenSource.CreateLinkedTokenSource(ct) : null;
        quick?.CancelAfter(ActionPoolWait);
        try
        {
            var conn = await Pool.OpenConnectionAsync(quick?.Token ?? ct);
            return new ConnectionLease(conn, conn.DisposeAsync, onLifeline: false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
        {
            if (await Lifeline.TryAcquireAsync(use, ct) is { } lease)
            {
                return lease;
            }
            throw;
        }
        catch (OperationCanceledException) when (quick is not null && !ct.IsCancellationRequested)
        {
            if (await Lifeline.TryAcquireAsync(use, ct) is { } lease)
            {
                return lease;
            }
            // The lifeline was lost meanwhile: wait for the pool as any other work does.
            var conn = await Pool.OpenConnectionAsync(ct);
            return new ConnectionLease(conn, conn.DisposeAsync, onLifeline: false);
        }
    }

    /// <summary>How long an action waits for a pooled connection before it takes the lifeline instead.</summary>
    internal static readonly TimeSpan ActionPoolWait = TimeSpan.FromSeconds(1);

    /// <summary>A command on a connection from <see cref="OpenAsync(CancellationToken)"/>; disposing the command gives the connection back.</summary>
    public Task<NpgsqlCommand> CommandAsync(string sql, CancellationToken ct) => CommandAsync(sql, LifelineUse.Action, ct);

    /// <summary>A command on a connection from <see cref="OpenAsync(LifelineUse, CancellationToken)"/>.</summary>
    internal async Task<NpgsqlCommand> CommandAsync(string sql, LifelineUse use, CancellationToken ct) => new LeasedCommand(sql, await OpenAsync(use, ct));

    /// <summary>
    /// The bot's data sources: application_name is the per-process name, statement and lock timeouts are short.
    /// </summary>
    internal static NpgsqlDataSource Build(string connectionString, TimeSpan statementTimeout, TimeSpan idleLifetime, bool pooled, BackendPids? pids)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = OwnBackends.ApplicationName,
            Timeout = 5,
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds) + 5),
            // Each read is one statement on a server that may be in trouble; the pool's DISCARD ALL would double
            // that. Nothing here leaves session state behind (SET LOCAL only, inside transactions that end).
            NoResetOnClose = true,
            // A dead peer is noticed even on a connection that sits idle for hours (the lifeline).
            TcpKeepAlive = true,
            TcpKeepAliveTime = 30,
            TcpKeepAliveInterval = 10,
        };
        // An operator's Pooling=false is kept for the everyday connections; the lifeline is never pooled.
        csb.Pooling = pooled && csb.Pooling;
        if (csb.Pooling)
        {
            var idle = Math.Max(1, (int)Math.Ceiling(idleLifetime.TotalSeconds));
            csb.MaxPoolSize = 5;
            csb.ConnectionIdleLifetime = idle;
            csb.ConnectionPruningInterval = Math.Min(10, idle);
        }
        var timeoutMs = (long)statementTimeout.TotalMilliseconds;
        csb.Options = $"-c statement_timeout={timeoutMs} -c lock_timeout={timeoutMs} {csb.Options}".Trim();
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString);
        if (pids is not null)
        {
            builder.UsePhysicalConnectionInitializer(c => pids.Add(c.ProcessID), c =>
            {
                pids.Add(c.ProcessID);
                return Task.CompletedTask;
            });
        }
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await Lifeline.DisposeAsync();
        await Pool.DisposeAsync();
        await LifelineSource.DisposeAsync();
        OwnBackends.Forget(_pids);
    }
}
