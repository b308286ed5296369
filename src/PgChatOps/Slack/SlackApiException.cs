namespace PgChatOps.Slack;

/// <summary>Slack answered <c>ok:false</c> (e.g. <c>channel_not_found</c>), or an HTTP status that no retry fixed.</summary>
public sealed class SlackApiException : Exception
{
    public SlackApiException()
    {
        Error = "unknown";
    }

    public SlackApiException(string error)
        : base($"Slack API error: {error}")
    {
        Error = error;
    }

    public SlackApiException(string error, Exception inner)
        : base($"Slack API error: {error}", inner)
    {
        Error = error;
    }

    /// <summary>Slack's error code, or <c>http_NNN</c> for an HTTP failure.</summary>
    public string Error { get; }
}
