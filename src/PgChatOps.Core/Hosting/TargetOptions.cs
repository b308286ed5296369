namespace PgChatOps.Hosting;

public sealed class TargetOptions
{
    public string? ConnectionString { get; set; }

    /// <summary>When false, query text never leaves the database for this target.</summary>
    public bool ShowQueryText { get; set; } = true;
}
