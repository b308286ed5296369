using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Audit;

namespace PgChatOps.Activity;

/// <summary>
/// One dedicated, authenticated connection to a server, held from start-up so that the bot still gets in when
/// the server is full (SQLSTATE 53300). It is never pooled or pruned; TCP keepalives and a periodic cheap check
/// notice when it dies, and it is re-opened in the background with backoff. Work on it is serialised, and actions
/// come first: a waiting action (a signal, a state-store write) is served before every waiting read, and a read
/// waits at most <see cref="ReadWait"/> before it gives up with <see cref="LifelineBusyException"/>.
/// </summary>
public sealed class Lifeline : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long a read waits for a busy lifeline before it gives up: reads never queue up in a storm.</summary>
    internal static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _source;
    private readonly BackendPids _pids;
    private readonly TimeSpan _checkInterval;
    private readonly ILogger _log;
    private readonly LifelineGate _gate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile NpgsqlConnection? _connection;

    internal Lifeline(string name, NpgsqlDataSource source, BackendPids pids, TimeSpan checkInterval, ILogger log)
    {
        (Name, _source, _pids, _checkInterval, _log) = (name, source, pids, checkInterval, log);
    }

    /// <summary>What this lifeline reaches: a target's name, or "state store".</summary>
    public string Name { get; }

    public bool IsHeld => _connection is { State: ConnectionState.Open };

    /// <summary>The backend pid of the held connection, if any.</summary>
    public int? Pid => _connection is { State: ConnectionState.Open } c ? c.ProcessID : null;

    /// <summary>Why the last attempt to open or check it failed; null while it is held and well.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Keeps the lifeline open until <paramref name="stop"/>: opens it, checks it, re-opens it with backoff. A lifeline
    /// lost after it held a while is re-opened at once; one refused, or lost again soon after opening (a reaper that
    /// ends unknown sessions, a pooler failing every first query), waits 1, 2, 4 … up to 30 seconds between tries, so
    /// the bot never adds a login storm of its own to a server in trouble.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromSeconds(1);
        long heldSince = 0;
        while (!stop.IsCancellationRequested)
        {
            if (!IsHeld)
            {
                if (heldSince != 0)
                {
                    var lasted = Stopwatch.GetElapsedTime(heldSince);
                    heldSince = 0;
                    if (lasted >= MinHeld)
                    {
                        backoff = TimeSpan.FromSeconds(1);
                    }
                    else
                    {
                        await DelayAsync(backoff, stop);
                        backoff = Doubled(backoff);
                    }
                }
                string? error = null;
                try
                {
                    await OpenAsync(stop);
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    // Any failure, not only a connection error: this loop must outlive whatever the server does.
                    error = DatabaseErrors.Cause(ex);
                }
                if (error is not null || !IsHeld)
                {
                    LastError = error ?? LastError ?? "the connection ended right after it was opened";
                    LifelineLog.NotHeld(_log, Name, backoff, LastError);
                    await DelayAsync(backoff, stop);
                    backoff = Doubled(backoff);
                    continue;
                }
                heldSince = Stopwatch.GetTimestamp();
                LifelineLog.Held(_log, Name, Pid);
            }
            await SleepAsync(_checkInterval, stop);
            await CheckAsync(stop);
        }
    }

    /// <summary>
    /// How long a lifeline must have held for its loss to be re-opened at once rather than after the backoff: more
    /// than one check interval, since a loss is often noticed only by the next check.
    /// </summary>
    private TimeSpan MinHeld => _checkInterval * 2 > TimeSpan.FromSeconds(1) ? _checkInterval * 2 : TimeSpan.FromSeconds(1);

    private static TimeSpan Doubled(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));

    /// <summary>A backoff: unlike <see cref="SleepAsync"/>, a dropped connection's wake-up does not cut it short.</summary>
    private static async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The lifeline's connection for one short piece of work, or null when it is not held. Actions wait their
    /// turn, ahead of reads; a read that does not get it within <see cref="ReadWait"/> throws
    /// <see cref="LifelineBusyException"/>. Release the lease promptly.
    /// </summary>
    internal async Task<ConnectionLease?> TryAcquireAsync(LifelineUse use, CancellationToken ct)
    {
        if (!IsHeld)
        {
            return null;
        }
        if (!await _gate.EnterAsync(use, use == LifelineUse.Read ? ReadWait : Timeout.InfiniteTimeSpan, ct))
        {
            throw new LifelineBusyException(Name);
        }
        var conn = _connection;
        if (conn is not { State: ConnectionState.Open })
        {
            _gate.Release();
            return null;
        }
        return new ConnectionLease(conn, () => Release(conn), onLifeline: true);
    }

    /// <summary>The gate itself, for tests that hold the lifeline busy.</summary>
    internal LifelineGate Gate => _gate;

    private ValueTask Release(NpgsqlConnection conn)
    {
        try
        {
            if (conn.FullState.HasFlag(ConnectionState.Broken) || conn.State != ConnectionState.Open)
            {
                Drop(conn);
            }
        }
        finally
        {
            _gate.Release();
        }
        return ValueTask.CompletedTask;
    }

    private async Task OpenAsync(CancellationToken ct)
    {
        var conn = await _source.OpenConnectionAsync(ct);
        _pids.Add(conn.ProcessID);
        try
        {
            await _gate.EnterAsync(LifelineUse.Action, Timeout.InfiniteTimeSpan, ct);
        }
        catch
        {
            // Cancelled while waiting for the gate: the new connection is nobody's, close it.
            await conn.DisposeAsync();
            throw;
        }
        try
        {
            var old = _connection;
            _connection = conn;
            if (old is not null)
            {
                await old.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
        LastError = null;
        await CheckAsync(ct);
    }

    /// <summary>
    /// One cheap statement on the lifeline, skipped when it is busy (then it is evidently alive). Also prunes the
    /// recorded pids of connections that have since closed.
    /// </summary>
    private async Task CheckAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT coalesce(array_agg(pid) FILTER (WHERE pid IS NOT NULL), '{}')
            FROM pg_stat_activity
            WHERE application_name = @app
            """;
        if (!_gate.TryEnter())
        {
            return;
        }
        var conn = _connection;
        try
        {
            if (conn is null)
            {
                return;
            }
            var asOf = Stopwatch.GetTimestamp();
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.Add(new NpgsqlParameter("app", NpgsqlDbType.Text) { Value = OwnBackends.ApplicationName });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            _pids.Prune(r.GetFieldValue<int[]>(0), asOf);
            LastError = null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LastError = DatabaseErrors.Cause(ex);
            if (conn is not null && (conn.FullState.HasFlag(ConnectionState.Broken) || conn.State != ConnectionState.Open))
            {
                LifelineLog.Lost(_log, Name, LastError);
                Drop(conn);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets a dead connection (the caller holds the gate) and wakes the loop to re-open it.</summary>
    private void Drop(NpgsqlConnection conn)
    {
        if (ReferenceEquals(_connection, conn))
        {
            _connection = null;
        }
        conn.Dispose();
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private async Task SleepAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await _wake.WaitAsync(delay, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } conn)
        {
            _connection = null;
            await conn.DisposeAsync();
        }
    }
}
