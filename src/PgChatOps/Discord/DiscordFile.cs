namespace PgChatOps.Discord;

/// <summary>A file for a Discord message. <see cref="Description"/> is the alt text (at most 1024 characters).</summary>
public sealed record DiscordFile(string FileName, ReadOnlyMemory<byte> Content, string ContentType, string? Description = null)
{
    public static DiscordFile Png(string fileName, byte[] content, string? description = null) => new(fileName, content, "image/png", description);

    public static DiscordFile Csv(string fileName, byte[] content, string? description = null) => new(fileName, content, "text/csv", description);
}
