using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Activity;
using PgChatOps.Commands;

namespace PgChatOps.Audit;

/// <summary>Writes and reads <c>pgchatops.audit_log</c>. A failed write surfaces as <see cref="StateStoreUnavailableException"/>.</summary>
public sealed class AuditLog(StateStore store)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task WriteAsync(AuditEntry entry, CancellationToken ct)
    {
        try
        {
            try
            {
                await InsertAsync(entry, ct);
            }
            catch (Exception ex) when (DatabaseErrors.IsLostConnection(ex))
            {
                // A pooled connection that outlived a restart of the server: once more on a fresh one. At worst
                // this writes the record twice, never not at all.
                store.DataSource?.Clear();
                await InsertAsync(entry, ct);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new StateStoreUnavailableException(DatabaseErrors.ForStateStore("written", ex), ex);
        }
    }

    private async Task InsertAsync(AuditEntry entry, CancellationToken ct)
    {
        await using var lease = await store.OpenAsync(ct);
        await WriteAsync(lease.Connection, null, [entry], ct);
    }

    /// <summary>Writes entries inside the caller's transaction, in one statement.</summary>
    internal static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }
        const string sql = """
            INSERT INTO pgchatops.audit_log
                (event, platform, workspace, channel, thread, actor_id, actor_name, target, verb, command,
                 action_id, pid, backend_start, outcome, detail)
            SELECT * FROM unnest(@event, @platform, @workspace, @channel, @thread, @actor_id, @actor_name, @target, @verb,
                                 @command, @action_id, @pid, @backend_start, @outcome, @detail::jsonb[])
            """;
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        Add(cmd, "event", NpgsqlDbType.Text, entries.Select(e => (object?)e.Event));
        Add(cmd, "platform", NpgsqlDbType.Text, entries.Select(e => (object?)e.Platform.Name()));
        Add(cmd, "workspace", NpgsqlDbType.Text, entries.Select(e => (object?)e.Workspace));
        Add(cmd, "channel", NpgsqlDbType.Text, entries.Select(e => (object?)e.Channel));
        Add(cmd, "thread", NpgsqlDbType.Text, entries.Select(e => (object?)e.Thread));
        Add(cmd, "actor_id", NpgsqlDbType.Text, entries.Select(e => (object?)e.ActorId));
        Add(cmd, "actor_name", NpgsqlDbType.Text, entries.Select(e => (object?)e.ActorName));
        Add(cmd, "target", NpgsqlDbType.Text, entries.Select(e => (object?)e.Target));
        Add(cmd, "verb", NpgsqlDbType.Text, entries.Select(e => (object?)e.Verb));
        Add(cmd, "command", NpgsqlDbType.Text, entries.Select(e => (object?)e.Command));
        Add(cmd, "action_id", NpgsqlDbType.Uuid, entries.Select(e => (object?)e.ActionId));
        Add(cmd, "pid", NpgsqlDbType.Integer, entries.Select(e => (object?)e.Pid));
        Add(cmd, "backend_start", NpgsqlDbType.TimestampTz, entries.Select(e => (object?)e.BackendStart));
        Add(cmd, "outcome", NpgsqlDbType.Text, entries.Select(e => (object?)e.Outcome));
        Add(cmd, "detail", NpgsqlDbType.Text, entries.Select(e => (object?)JsonSerializer.Serialize(e.Detail ?? new { }, Json)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Add(NpgsqlCommand cmd, string name, NpgsqlDbType type, IEnumerable<object?> values) =>
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type)
        {
            Value = values.Select(v => v ?? DBNull.Value).ToArray(),
        });

    /// <summary>
    /// The latest actions on the given targets, newest first, narrowed in SQL by pid, the role of a session acted on,
    /// the chat user who asked or decided, the kind, the status and the time asked. Each action comes with the sessions
    /// that matched (all of them when neither pid nor user narrows) and each session's result.
    /// </summary>
    public async Task<IReadOnlyList<AuditedAction>> ActionsAsync(
        IReadOnlyList<string> targets, int last, int? pid, AuditFilter filter, DateTimeOffset? since, CancellationToken ct)
    {
        const string sql = $$"""
            SELECT p.id, p.created_at, p.kind, p.status, p.target, p.platform, p.channel,
                   p.requested_by, p.requested_by_name, p.decided_by, p.decided_by_name, p.decided_at, p.expires_at,
                   jsonb_array_length(p.sessions) AS n, m.matched::text, p.result::text
            FROM pgchatops.pending_actions p
            CROSS JOIN LATERAL (
                SELECT coalesce(jsonb_agg(s ORDER BY (s->>'pid')::int), '[]') AS matched, count(*) AS n
                FROM jsonb_array_elements(p.sessions) s
                WHERE (@pid::int IS NULL OR (s->>'pid')::int = @pid)
                  AND (@user::text IS NULL OR s->>'user' ILIKE @user ESCAPE '\')
            ) m
            WHERE p.target = ANY (@targets)
              AND m.n > 0
              AND (@kind::text IS NULL OR p.kind = @kind)
              AND (@status::text IS NULL OR p.status = @status)
              AND (@since::timestamptz IS NULL OR p.created_at >= @since)
              AND (@by::text IS NULL
                   OR p.requested_by ILIKE @by ESCAPE '\' OR p.requested_by_name ILIKE @by ESCAPE '\'
                   OR p.decided_by ILIKE @by ESCAPE '\' OR p.decided_by_name ILIKE @by ESCAPE '\')
            ORDER BY p.created_at DESC, p.id
            LIMIT @last
            """;
        try
        {
            await using var cmd = await store.CommandAsync(sql, ct);
            cmd.Parameters.Add(new NpgsqlParameter("targets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = targets.ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("last", NpgsqlDbType.Integer) { Value = last });
            cmd.Parameters.Add(new NpgsqlParameter("pid", NpgsqlDbType.Integer) { Value = (object?)pid ?? DBNull.Value });
            cmd.Parameters.Add(Text("user", filter.User is { } u ? SessionFilter.ToLikePattern(u) : null));
            cmd.Parameters.Add(Text("by", filter.By is { } b ? SessionFilter.ToLikePattern(b) : null));
            cmd.Parameters.Add(Text("kind", filter.Kind switch { VerbClass.Cancel => "cancel", VerbClass.Terminate => "terminate", _ => null }));
            cmd.Parameters.Add(Text("status", filter.Status));
            cmd.Parameters.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = (object?)since?.UtcDateTime ?? DBNull.Value });
            var list = new List<AuditedAction>();
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var results = ReadResults(r.IsDBNull(15) ? null : r.GetString(15));
                var outcomes = results.Values.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                list.Add(new AuditedAction(
                    r.GetGuid(0), r.GetDateTime(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                    r.GetString(8), r.IsDBNull(10) ? null : r.GetString(10), r.GetInt32(13), outcomes)
                {
                    RequestedById = r.GetString(7),
                    DecidedById = r.IsDBNull(9) ? null : r.GetString(9),
                    DecidedAt = r.IsDBNull(11) ? null : r.GetDateTime(11),
                    ExpiresAt = r.GetDateTime(12),
                    Sessions = ReadSessions(r.GetString(14), results),
                });
            }
            return list;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new StateStoreUnavailableException(DatabaseErrors.ForStateStore("read", ex), ex);
        }
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    // pending_actions.sessions and .result hold PlannedSession and SessionOutcome lists (web JSON names). They are read
    // by name here, so that the audit log needs nothing from the actions that write it.
    private static Dictionary<(int Pid, string Start), string> ReadResults(string? json)
    {
        var results = new Dictionary<(int, string), string>();
        if (json is null)
        {
            return results;
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var o in doc.RootElement.EnumerateArray())
        {
            if (o.TryGetProperty("outcome", out var outcome) && outcome.ValueKind == JsonValueKind.String)
            {
                results[(o.GetProperty("pid").GetInt32(), o.GetProperty("backendStart").GetRawText())] = outcome.GetString()!;
            }
        }
        return results;
    }

    private static List<AuditedSession> ReadSessions(string json, Dictionary<(int Pid, string Start), string> results)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(s => new AuditedSession(
            s.GetProperty("pid").GetInt32(),
            s.GetProperty("backendStart").GetDateTime(),
            String(s, "user"),
            String(s, "database"),
            String(s, "application"),
            s.TryGetProperty("queryStart", out var q) && q.ValueKind == JsonValueKind.String ? q.GetDateTime() : null,
            results.GetValueOrDefault((s.GetProperty("pid").GetInt32(), s.GetProperty("backendStart").GetRawText())),
            String(s, "protectedReason"))).ToList();

        static string? String(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    /// <summary>
    /// Walks the hash chain in one statement on the server, streaming in seq order and stopping at the first broken link,
    /// so the log is never loaded into memory: each row's seq must follow the previous row's, its prev_hash must be the
    /// previous row's hash, and its hash must match its content. Then the last row must be the chain head's.
    /// </summary>
    public async Task<AuditChainReport> VerifyChainAsync(CancellationToken ct)
    {
        const string sql = """
            WITH links AS (
                SELECT l.seq, l.id, l.at, coalesce(lag(l.seq) OVER w, 0) AS prev_seq,
                       CASE
                           WHEN l.seq <> coalesce(lag(l.seq) OVER w, 0) + 1 THEN 'missing'
                           WHEN l.prev_hash IS DISTINCT FROM coalesce(lag(l.hash) OVER w, decode(repeat('00', 32), 'hex')) THEN 'unlinked'
                           WHEN l.hash IS DISTINCT FROM pgchatops.audit_row_hash(l.prev_hash, l) THEN 'edited'
                       END AS problem
                FROM pgchatops.audit_log l
                WINDOW w AS (ORDER BY l.seq)
            )
            SELECT (SELECT count(*) FROM pgchatops.audit_log), h.seq, h.hash, last.seq, last.id, last.at, last.hash,
                   b.problem, b.seq, b.id, b.at, b.prev_seq
            FROM pgchatops.audit_chain_head h
            LEFT JOIN LATERAL (SELECT seq, id, at, hash FROM pgchatops.audit_log ORDER BY seq DESC LIMIT 1) last ON true
            LEFT JOIN LATERAL (SELECT * FROM links WHERE problem IS NOT NULL ORDER BY seq LIMIT 1) b ON true
            """;
        try
        {
            // A walk of the whole log may take a while: never on the lifeline, which commands need in a storm.
            var pool = store.DataSource ?? throw new StateStoreUnavailableException("no state store is configured (PgChatOps:StateConnectionString, or a default target)");
            await using var conn = await pool.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var timeout = new NpgsqlCommand("SET LOCAL statement_timeout = '60s'", conn, tx))
            {
                await timeout.ExecuteNonQueryAsync(ct);
            }
            await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 70 };
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                // No head row: the chain itself was removed.
                return new AuditChainReport(0, 0, new AuditChainBreak(AuditChainProblem.HeadMismatch, 0, null, null));
            }
            var rows = r.GetInt64(0);
            var (headSeq, headHash) = (r.GetInt64(1), r.GetFieldValue<byte[]>(2));
            var lastSeq = r.IsDBNull(3) ? 0 : r.GetInt64(3);
            long? lastId = r.IsDBNull(4) ? null : r.GetInt64(4);
            DateTime? lastAt = r.IsDBNull(5) ? null : r.GetDateTime(5);
            var lastHash = r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6);
            if (!r.IsDBNull(7))
            {
                var problem = r.GetString(7) switch
                {
                    "missing" => AuditChainProblem.Missing,
                    "unlinked" => AuditChainProblem.Unlinked,
                    _ => AuditChainProblem.Edited,
                };
                var seq = r.GetInt64(8);
                return new AuditChainReport(rows, lastSeq,
                    new AuditChainBreak(problem, seq, r.GetInt64(9), r.GetDateTime(10), r.GetInt64(11) + 1, seq - 1));
            }
            AuditChainBreak? tail = null;
            if (headSeq > lastSeq)
            {
                tail = new AuditChainBreak(AuditChainProblem.TailMissing, headSeq, null, null, lastSeq + 1, headSeq);
            }
            else if (headSeq < lastSeq)
            {
                tail = new AuditChainBreak(AuditChainProblem.BeyondHead, lastSeq, lastId, lastAt, headSeq);
            }
            else if (lastHash is not null && !lastHash.AsSpan().SequenceEqual(headHash))
            {
                tail = new AuditChainBreak(AuditChainProblem.HeadMismatch, lastSeq, lastId, lastAt);
            }
            return new AuditChainReport(rows, lastSeq, tail);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new StateStoreUnavailableException(DatabaseErrors.ForStateStore("read", ex), ex);
        }
    }
}
