namespace PgChatOps.Slack;

/// <summary>
/// How an upload went. On failure, <see cref="Error"/> is Slack's error code (e.g. <c>file_uploads_disabled</c>,
/// <c>not_in_channel</c>) or ours (<c>http_503</c>, <c>http_unreachable</c>, <c>invalid_response</c>), and
/// <see cref="FailedAt"/> says which call failed.
/// </summary>
public sealed record SlackUploadResult(string? FileId, string? Error, SlackUploadStep? FailedAt)
{
    public bool Ok => Error is null;

    public static SlackUploadResult Shared(string fileId) => new(fileId, null, null);

    public static SlackUploadResult Failed(SlackUploadStep step, string error, string? fileId = null) => new(fileId, error, step);

    /// <summary>One line for the chat or the log, e.g. "Slack refused the file at files.getUploadURLExternal: file_uploads_disabled".</summary>
    public string Describe() => FailedAt switch
    {
        null => $"Shared file {FileId}.",
        SlackUploadStep.GetUploadUrl => $"Slack refused the file at files.getUploadURLExternal: {Error}",
        SlackUploadStep.UploadBytes => $"Slack did not take the file's bytes: {Error}",
        _ => $"Slack took the file but would not share it (files.completeUploadExternal): {Error}",
    };
}
