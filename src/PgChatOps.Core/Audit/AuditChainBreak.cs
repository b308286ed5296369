using System.Globalization;

namespace PgChatOps.Audit;

/// <summary>The first place where the audit log's hash chain does not hold.</summary>
/// <param name="Seq">The chain position where the break shows: the row after a gap, the changed row, or the head.</param>
/// <param name="From">For <see cref="AuditChainProblem.Missing"/> and <see cref="AuditChainProblem.TailMissing"/>: the first missing seq.</param>
/// <param name="To">For those two: the last missing seq.</param>
public sealed record AuditChainBreak(AuditChainProblem Problem, long Seq, long? Id, DateTime? At, long From = 0, long To = 0)
{
    public string Describe()
    {
        var row = $"seq {Seq}" + (Id is { } id ? $" (id {id}" + (At is { } at ? $", written {at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC)" : ")") : "");
        var missing = From == To ? $"the row with seq {From} is missing" : $"the rows with seq {From} to {To} are missing";
        var deleted = From == To ? "deleted after it was written" : "deleted after they were written";
        return Problem switch
        {
            AuditChainProblem.Missing => $"{missing}: {deleted} (the chain resumes at {row})",
            AuditChainProblem.Unlinked => $"{row} does not link to the row before it: that row was changed, replaced or inserted out of the chain",
            AuditChainProblem.Edited => $"{row} was changed after it was written: its hash does not match its content",
            AuditChainProblem.TailMissing => $"{missing}: the chain head says the log ends at seq {To}, but the last row is seq {From - 1}",
            AuditChainProblem.HeadMismatch => $"the last row, {row}, is not the one the chain head recorded: it was changed or replaced",
            AuditChainProblem.BeyondHead => $"{row} lies beyond the chain head (seq {From}): it was written around the chain trigger",
            _ => Problem.ToString(),
        };
    }
}

public enum AuditChainProblem
{
    /// <summary>A gap in seq: rows were deleted.</summary>
    Missing,

    /// <summary>A row's prev_hash is not the previous row's hash.</summary>
    Unlinked,

    /// <summary>A row's hash does not match its content.</summary>
    Edited,

    /// <summary>The head is beyond the last row: rows were deleted from the end.</summary>
    TailMissing,

    /// <summary>The last row's hash is not the head's.</summary>
    HeadMismatch,

    /// <summary>Rows after the head's seq: written with the chain trigger disabled.</summary>
    BeyondHead,
}
