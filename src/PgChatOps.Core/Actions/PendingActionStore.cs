using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Activity;
using PgChatOps.Audit;
using PgChatOps.Commands;

namespace PgChatOps.Actions;

/// <summary>
/// Pending actions in <c>pgchatops.pending_actions</c>. Every state change is written in the same transaction
/// as its audit entries, so an action never moves without its record.
/// </summary>
/// <remarks>
/// Times stored here (created, expires, decided) are on the state store's clock, so that replicas whose clocks
/// disagree still agree on when a confirmation expires: see <see cref="NowAsync"/>.
/// </remarks>
public sealed class PendingActionStore(StateStore store, TimeProvider time)
{
    private Task<TimeSpan>? _offset;
    private Task<TimeSpan>? _lastGoodOffset;
    private long _offsetMeasuredAt;

    /// <summary>How long a measured offset is trusted before it is measured again: a replica's clock may be stepped while it runs.</summary>
    internal TimeSpan OffsetLifetime { get; set; } = TimeSpan.FromMinutes(5);

    private const string Columns = """
        id, kind, status, platform, workspace, channel, thread, target, command, requested_by, requested_by_name,
        created_at, expires_at, decided_by, decided_by_name, decided_at, sessions, result
        """;

    /// <summary>Stores a new pending action together with its audit entry.</summary>
    public Task CreateAsync(PendingAction action, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(async (conn, tx) =>
        {
            const string sql = $"""
                INSERT INTO pgchatops.pending_actions ({Columns})
                VALUES (@id, @kind, 'pending', @platform, @workspace, @channel, @thread, @target, @command, @requested_by,
                        @requested_by_name, @created_at, @expires_at, NULL, NULL, NULL, @sessions::jsonb, NULL)
                """;
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            cmd.Parameters.AddWithValue("id", action.Id);
            cmd.Parameters.AddWithValue("kind", action.Kind.Name());
            cmd.Parameters.AddWithValue("platform", action.Platform.Name());
            cmd.Parameters.AddWithValue("workspace", action.Workspace);
            cmd.Parameters.AddWithValue("channel", action.Channel);
            cmd.Parameters.Add(new NpgsqlParameter("thread", NpgsqlDbType.Text) { Value = (object?)action.Thread ?? DBNull.Value });
            cmd.Parameters.AddWithValue("target", action.Target);
            cmd.Parameters.AddWithValue("command", action.Command);
            cmd.Parameters.AddWithValue("requested_by", action.RequestedBy);
            cmd.Parameters.AddWithValue("requested_by_name", action.RequestedByName);
            cmd.Parameters.AddWithValue("created_at", action.CreatedAt);
            cmd.Parameters.AddWithValue("expires_at", action.ExpiresAt);
            cmd.Parameters.AddWithValue("sessions", JsonSerializer.Serialize(action.Sessions, AuditLog.Json));
            await cmd.ExecuteNonQueryAsync(ct);
            await AuditLog.WriteAsync(conn, tx, [audit], ct);
            return 0;
        }, ct);

    /// <summary>
    /// The state store's clock: this replica's <see cref="TimeProvider"/> plus an offset measured at first use, and again
    /// every few minutes of real time, against the store's <c>clock_timestamp()</c>. A replica whose clock is minutes off still expires
    /// confirmations at the same moment as every other replica; a pinned test clock still moves the result.
    /// </summary>
    public async Task<DateTimeOffset> NowAsync(CancellationToken ct) => time.GetUtcNow() + await OffsetAsync(ct);

    private async Task<TimeSpan> OffsetAsync(CancellationToken ct)
    {
        // Two first callers may both measure; either result is right. The age is real (monotonic) time, never the
        // TimeProvider's, so a test that moves its clock forward is not measured away.
        if (_offset is { } known && Stopwatch.GetElapsedTime(Interlocked.Read(ref _offsetMeasuredAt)) > OffsetLifetime)
        {
            _ = Interlocked.CompareExchange(ref _offset, null, known);
        }
        var measuring = _offset;
        if (measuring is null)
        {
            measuring = MeasureOffsetAsync();
            Interlocked.Exchange(ref _offsetMeasuredAt, Stopwatch.GetTimestamp());
            measuring = Interlocked.CompareExchange(ref _offset, measuring, null) ?? measuring;
        }
        try
        {
            var offset = await measuring.WaitAsync(ct);
            _lastGoodOffset = measuring;
            return offset;
        }
        catch (StateStoreUnavailableException)
        {
            _ = Interlocked.CompareExchange(ref _offset, null, measuring);
            // A clock's offset drifts by milliseconds a day: the last one measured is still right. Only the very first
            // measurement can fail the caller, so that "what time is it" never turns signals already sent into "nothing
            // was done" (the reply after a kill reads the time once more).
            if (_lastGoodOffset is { } good)
            {
                return await good;
            }
            throw;
        }
    }

    private Task<TimeSpan> MeasureOffsetAsync() =>
        Wrap(async () =>
        {
            // Connect first, so that only the query's round trip lies between the two readings.
            await using var lease = await store.OpenAsync(CancellationToken.None);
            await using var cmd = new NpgsqlCommand("SELECT clock_timestamp()", lease.Connection);
            var before = time.GetUtcNow();
            var storeNow = (DateTime)(await cmd.ExecuteScalarAsync(CancellationToken.None))!;
            var after = time.GetUtcNow();
            return new DateTimeOffset(storeNow, TimeSpan.Zero) - (before + (after - before) / 2);
        }, "read");

    public Task<PendingAction?> FindAsync(Guid id, CancellationToken ct) =>
        Wrap(async () =>
        {
            await using var cmd = await store.CommandAsync($"SELECT {Columns} FROM pgchatops.pending_actions WHERE id = @id", ct);
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? Read(r) : null;
        }, "read");

    /// <summary>
    /// Moves a pending, unexpired action to <paramref name="to"/> (confirmed or aborted) for one decider.
    /// Of any number of simultaneous calls exactly one gets the action back; the others get null.
    /// The audit entry is written in the same transaction, so a failed audit means no transition.
    /// </summary>
    public Task<PendingAction?> TryDecideAsync(Guid id, ActionStatus to, ChatUser decider, DateTimeOffset now, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(async (conn, tx) =>
        {
            var sql = $"""
                UPDATE pgchatops.pending_actions
                SET status = @to, decided_by = @by, decided_by_name = @by_name, decided_at = @now
                WHERE id = @id AND status = 'pending' AND expires_at > @now
                RETURNING {Columns}
                """;
            PendingAction? claimed;
            await using (var cmd = new NpgsqlCommand(sql, conn, tx))
            {
                cmd.Parameters.AddWithValue("to", to.Name());
                cmd.Parameters.AddWithValue("by", decider.Id);
                cmd.Parameters.AddWithValue("by_name", decider.DisplayName);
                cmd.Parameters.AddWithValue("now", now);
                cmd.Parameters.AddWithValue("id", id);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                claimed = await r.ReadAsync(ct) ? Read(r) : null;
            }
            if (claimed is not null)
            {
                await AuditLog.WriteAsync(conn, tx, [audit], ct);
            }
            return claimed;
        }, ct);

    /// <summary>Marks pending actions whose time ran out as expired (one, or all when id is null), with their audit entries.</summary>
    public Task<IReadOnlyList<PendingAction>> ExpireAsync(Guid? id, DateTimeOffset now, Func<PendingAction, AuditEntry> audit, CancellationToken ct) =>
        ExpireAsync(id, now, early: false, audit, ct);

    /// <summary>
    /// Ends one pending action now, before its time runs out, as expired, with its audit entry: a watch alert replaced its
    /// buttons or resolved, and no button may stay live that its message no longer shows. Nothing when already decided.
    /// </summary>
    public async Task<bool> WithdrawAsync(Guid id, DateTimeOffset now, Func<PendingAction, AuditEntry> audit, CancellationToken ct) =>
        (await ExpireAsync(id, now, early: true, audit, ct)).Count > 0;

    private Task<IReadOnlyList<PendingAction>> ExpireAsync(Guid? id, DateTimeOffset now, bool early, Func<PendingAction, AuditEntry> audit, CancellationToken ct) =>
        InTransactionAsync<IReadOnlyList<PendingAction>>(async (conn, tx) =>
        {
            var sql = $"""
                UPDATE pgchatops.pending_actions
                SET status = 'expired', decided_at = @now
                WHERE status = 'pending' AND (@early OR expires_at <= @now) AND (@id::uuid IS NULL OR id = @id)
                RETURNING {Columns}
                """;
            var expired = new List<PendingAction>();
            await using (var cmd = new NpgsqlCommand(sql, conn, tx))
            {
                cmd.Parameters.AddWithValue("now", now);
                cmd.Parameters.AddWithValue("early", early);
                cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)id ?? DBNull.Value });
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    expired.Add(Read(r));
                }
            }
            await AuditLog.WriteAsync(conn, tx, expired.Select(audit).ToList(), ct);
            return expired;
        }, ct);

    /// <summary>
    /// Ends every action that has been 'confirmed' since before <paramref name="confirmedBefore"/> (store time) as
    /// 'outcome_unknown', with its audit entry: the replica running it stopped before recording a result.
    /// </summary>
    public Task<IReadOnlyList<PendingAction>> MarkOutcomeUnknownAsync(DateTimeOffset confirmedBefore, Func<PendingAction, AuditEntry> audit, CancellationToken ct) =>
        InTransactionAsync<IReadOnlyList<PendingAction>>(async (conn, tx) =>
        {
            var sql = $"""
                UPDATE pgchatops.pending_actions
                SET status = 'outcome_unknown'
                WHERE status = 'confirmed' AND decided_at <= @before
                RETURNING {Columns}
                """;
            var stuck = new List<PendingAction>();
            await using (var cmd = new NpgsqlCommand(sql, conn, tx))
            {
                cmd.Parameters.AddWithValue("before", confirmedBefore);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    stuck.Add(Read(r));
                }
            }
            await AuditLog.WriteAsync(conn, tx, stuck.Select(audit).ToList(), ct);
            return stuck;
        }, ct);

    /// <summary>Records the outcome of a confirmed action, with one audit entry per session.</summary>
    public Task CompleteAsync(Guid id, ActionStatus status, IReadOnlyList<SessionOutcome> result, IReadOnlyList<AuditEntry> audit, CancellationToken ct) =>
        InTransactionAsync(async (conn, tx) =>
        {
            await using var cmd = new NpgsqlCommand(
                "UPDATE pgchatops.pending_actions SET status = @status, result = @result::jsonb WHERE id = @id AND status = 'confirmed'", conn, tx);
            cmd.Parameters.AddWithValue("status", status.Name());
            cmd.Parameters.AddWithValue("result", JsonSerializer.Serialize(result, AuditLog.Json));
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync(ct);
            await AuditLog.WriteAsync(conn, tx, audit, ct);
            return 0;
        }, ct);

    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        return await Wrap(async () =>
        {
            await using var lease = await store.OpenAsync(ct);
            await using var tx = await lease.Connection.BeginTransactionAsync(ct);
            var result = await work(lease.Connection, tx);
            await tx.CommitAsync(ct);
            return result;
        }, "write");
    }

    private static async Task<T> Wrap<T>(Func<Task<T>> work, string what)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new StateStoreUnavailableException(DatabaseErrors.ForStateStore(what == "read" ? "read" : "written", ex), ex);
        }
    }

    private static PendingAction Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Kind = ActionNames.ParseKind(r.GetString(1)),
        Status = ActionNames.ParseStatus(r.GetString(2)),
        Platform = Enum.Parse<Platform>(r.GetString(3), ignoreCase: true),
        Workspace = r.GetString(4),
        Channel = r.GetString(5),
        Thread = r.IsDBNull(6) ? null : r.GetString(6),
        Target = r.GetString(7),
        Command = r.GetString(8),
        RequestedBy = r.GetString(9),
        RequestedByName = r.GetString(10),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(11),
        ExpiresAt = r.GetFieldValue<DateTimeOffset>(12),
        DecidedBy = r.IsDBNull(13) ? null : r.GetString(13),
        DecidedByName = r.IsDBNull(14) ? null : r.GetString(14),
        DecidedAt = r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
        Sessions = JsonSerializer.Deserialize<List<PlannedSession>>(r.GetString(16), AuditLog.Json) ?? [],
        Result = r.IsDBNull(17) ? null : JsonSerializer.Deserialize<List<SessionOutcome>>(r.GetString(17), AuditLog.Json),
    };
}
