namespace PgChatOps.Hosting;

public sealed class ConfirmationOptions
{
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(5);
    public int MaxSessions { get; set; } = 100;
}
