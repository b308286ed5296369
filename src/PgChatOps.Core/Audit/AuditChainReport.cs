using System.Globalization;

namespace PgChatOps.Audit;

/// <summary>The result of walking the audit log's hash chain: how many rows, and the first broken or missing link.</summary>
public sealed record AuditChainReport(long Rows, long LastSeq, AuditChainBreak? Break)
{
    public bool IsIntact => Break is null;

    public string Summary => Break is { } b
        ? $"broken: {b.Describe()}"
        : Rows == 0 ? "intact: no rows yet" : string.Create(CultureInfo.InvariantCulture, $"intact: {Rows:N0} rows, every link from seq 1 to {LastSeq} holds");
}
