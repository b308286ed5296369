using PgChatOps.Activity;

namespace PgChatOps.Snapshots;

/// <summary>A session as a snapshot has it: what the bot shows, plus the rest of its pg_stat_activity row and lock wait.</summary>
public sealed record SnapshotSession(
    SessionInfo Session,
    string? ClientHostname,
    int? ClientPort,
    string? BackendXid,
    string? BackendXmin,
    long? QueryId,
    DateTime? WaitStart);
