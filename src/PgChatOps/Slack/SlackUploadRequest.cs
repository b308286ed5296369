namespace PgChatOps.Slack;

/// <summary>
/// A file to share in a Slack channel. <see cref="ThreadTs"/> must be the parent message's ts, never a reply's
/// (PROTOCOLS.md §16.1). No alt text: passing <c>alt_txt</c> can make the share fail silently.
/// </summary>
public sealed record SlackUploadRequest(
    string FileName,
    ReadOnlyMemory<byte> Content,
    string ChannelId,
    string? Title = null,
    string? ThreadTs = null,
    string? InitialComment = null);
