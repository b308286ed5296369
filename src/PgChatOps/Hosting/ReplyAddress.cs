namespace PgChatOps.Hosting;

/// <summary>Where a reply goes; each platform's <see cref="IReplyChannel"/> accepts its own kinds.</summary>
public abstract record ReplyAddress;
