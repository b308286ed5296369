namespace PgChatOps.Hosting;

public sealed class ProtectionOptions
{
    public bool AllowSuperusers { get; set; }
    public List<string> Roles { get; set; } = [];
    public List<string> Applications { get; set; } = [];
}
