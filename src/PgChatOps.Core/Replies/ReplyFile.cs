namespace PgChatOps.Replies;

/// <summary>
/// A file that goes with a reply, for the platform to attach the way it expects (Slack's external upload into the
/// thread, a Discord multipart attachment, a file written by the console). The reply's text never depends on the file
/// arriving: it names the file, so a reader knows what to look for.
/// </summary>
/// <param name="Title">A short caption, where the platform shows one.</param>
public sealed record ReplyFile(string FileName, string ContentType, ReadOnlyMemory<byte> Content, string? Title = null)
{
    public const string Csv = "text/csv";

    public int Length => Content.Length;
}
