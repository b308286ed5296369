using System.Text.Json.Nodes;

namespace PgChatOps.Slack.SocketMode;

/// <summary>
/// One Socket Mode envelope as Slack sent it: <see cref="Type"/> is one of <see cref="SocketModeMessageTypes"/>'s
/// envelope types and <see cref="Payload"/> is the same JSON object Slack would have POSTed over HTTP (a slash
/// command's fields arrive as JSON here, not form-encoded). Envelopes carry no signature: the socket is authenticated.
/// </summary>
internal sealed record SocketModeEnvelope(
    string EnvelopeId,
    string Type,
    JsonObject Payload,
    bool AcceptsResponsePayload,
    int? RetryAttempt = null,
    string? RetryReason = null);
