using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgChatOps.Slack;

/// <summary>
/// The one Slack handler every transport calls: it takes what a request or envelope carries, already authentic and
/// parsed (a slash command's fields, an interaction payload, an Events API callback), and returns the body of the
/// immediate acknowledgement (null for an empty one). Follow-up work runs detached and delivers through
/// <see cref="SlackReplyChannel"/>. A transport only moves bytes and acknowledgements.
/// </summary>
public sealed class SlackInbound(SlackCommands commands, SlackInteractions interactions, SlackEvents events)
{
    /// <inheritdoc cref="SlackCommands.HandleAsync"/>
    public Task<SlackCommandAck> CommandAsync(Func<string, string?> field, CancellationToken acknowledgeBy) =>
        commands.HandleAsync(field, acknowledgeBy);

    /// <summary>An interaction payload (<c>block_actions</c> and the like); its acknowledgement is always empty.</summary>
    public JsonObject? Interaction(JsonObject payload)
    {
        interactions.Handle(payload);
        return null;
    }

    /// <summary>An Events API callback (<c>url_verification</c>, <c>event_callback</c>).</summary>
    public JsonObject? Event(JsonObject payload) => events.Handle(payload);

    /// <summary>A non-empty JSON string value, or null for anything else (missing, null, number, object…).</summary>
    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } s ? s : null;
}
