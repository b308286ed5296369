namespace PgChatOps.Hosting;

public sealed record ReadinessLine(bool Ready, string Text);
