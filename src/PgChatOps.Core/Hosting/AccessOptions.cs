namespace PgChatOps.Hosting;

public sealed class AccessOptions
{
    public List<AccessRule> Rules { get; set; } = [];
    public bool RequireDistinctApprover { get; set; }
}
