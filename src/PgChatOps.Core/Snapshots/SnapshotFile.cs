using System.Security.Cryptography;

namespace PgChatOps.Snapshots;

/// <summary>A snapshot's CSV in memory, with what it holds.</summary>
public sealed record SnapshotFile(SnapshotSummary Summary, byte[] Content)
{
    /// <summary>Lower-case hex SHA-256 of the file, recorded in the audit log so a copy can be checked later.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
}
