namespace PgChatOps.Slack;

/// <summary>The three calls of Slack's external upload, in order.</summary>
public enum SlackUploadStep
{
    GetUploadUrl,
    UploadBytes,
    Complete,
}
