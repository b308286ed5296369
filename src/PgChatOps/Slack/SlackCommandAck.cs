using System.Text.Json.Nodes;

namespace PgChatOps.Slack;

/// <summary>
/// The acknowledgement of a slash command. <see cref="AnswerFollows"/>: <see cref="Body"/> is only the note that the
/// answer is on its way, and the answer itself goes out through the command's response_url; otherwise
/// <see cref="Body"/> is the whole answer (a reply, a refusal, an error), which a transport that could not put it in
/// its acknowledgement must still deliver through response_url.
/// </summary>
public sealed record SlackCommandAck(JsonObject Body, bool AnswerFollows = false);
