using CsvHelper;

namespace PgChatOps.Snapshots;

/// <summary>
/// One line of the snapshot CSV. Column names follow pg_stat_activity; times are ISO 8601 with their offset (UTC).
/// Text columns have been through <see cref="CsvCell.Clean"/>; the writer escapes formula starts.
/// </summary>
[CsvRecord]
public sealed partial record SnapshotRow
{
    [CsvColumn("pid")] public int Pid { get; init; }
    [CsvColumn("backend_start")] public DateTimeOffset? BackendStart { get; init; }
    [CsvColumn("usename")] public string? User { get; init; }
    [CsvColumn("datname")] public string? Database { get; init; }
    [CsvColumn("application_name")] public string? Application { get; init; }
    [CsvColumn("client")] public string? Client { get; init; }
    [CsvColumn("client_hostname")] public string? ClientHostname { get; init; }
    [CsvColumn("client_port")] public int? ClientPort { get; init; }
    [CsvColumn("backend_type")] public string? BackendType { get; init; }
    [CsvColumn("state")] public string? State { get; init; }
    [CsvColumn("wait_event_type")] public string? WaitEventType { get; init; }
    [CsvColumn("wait_event")] public string? WaitEvent { get; init; }
    [CsvColumn("xact_start")] public DateTimeOffset? XactStart { get; init; }
    [CsvColumn("query_start")] public DateTimeOffset? QueryStart { get; init; }
    [CsvColumn("state_change")] public DateTimeOffset? StateChange { get; init; }

    /// <summary>Seconds in the current state (for an active session: how long its query runs).</summary>
    [CsvColumn("in_state_seconds")] public double? InStateSeconds { get; init; }

    /// <summary>Seconds since the transaction began, at the snapshot's time.</summary>
    [CsvColumn("xact_age_seconds")] public double? TransactionAgeSeconds { get; init; }
    [CsvColumn("is_superuser")] public bool IsSuperuser { get; init; }
    [CsvColumn("is_pgchatops")] public bool IsPgChatOps { get; init; }
    [CsvColumn("leader_pid")] public int? LeaderPid { get; init; }
    [CsvColumn("backend_xid")] public string? BackendXid { get; init; }
    [CsvColumn("backend_xmin")] public string? BackendXmin { get; init; }
    [CsvColumn("query_id")] public long? QueryId { get; init; }

    /// <summary>The pids this session waits for (<c>pg_blocking_pids</c>), separated by spaces.</summary>
    [CsvColumn("blocked_by")] public string? BlockedBy { get; init; }
    [CsvColumn("lock_wait_start")] public DateTimeOffset? LockWaitStart { get; init; }

    /// <summary>How many sessions wait behind this one, directly or down the chain.</summary>
    [CsvColumn("blocking")] public int Blocking { get; init; }

    /// <summary>For a session in a lock chain: the pid at the root of its chain (itself for a root blocker).</summary>
    [CsvColumn("root_blocker")] public int? RootBlocker { get; init; }

    /// <summary>Empty when the target hides query text.</summary>
    [CsvColumn("query")] public string? Query { get; init; }
}
