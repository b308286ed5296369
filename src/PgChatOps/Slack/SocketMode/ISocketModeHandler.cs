namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// What the Socket Mode transport hands each envelope to (once per envelope_id). The transport acknowledges the
/// envelope by itself; the handler only translates. To answer inline (slash commands, some interactions) the handler
/// calls <see cref="SocketModeInlineReply.TryAnswer"/>: <c>true</c> means the answer goes out in the acknowledgement;
/// <c>false</c> means the acknowledgement has already gone without it, and the handler must deliver through the
/// payload's <c>response_url</c> (or the Web API) instead. The handler may keep running after that; <paramref name="ct"/>
/// is cancelled when the transport stops.
/// </summary>
internal interface ISocketModeHandler
{
    Task HandleAsync(SocketModeEnvelope envelope, SocketModeInlineReply inline, CancellationToken ct);
}
