using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Receives each <c>INTERACTION_CREATE</c> that arrives over the Gateway. <paramref name="interaction"/> is the
/// dispatch's <c>d</c>: the same Interaction object the HTTP interactions endpoint receives as its body. Over the
/// Gateway the answer goes over HTTP (<see cref="DiscordApiClient.RespondToInteractionAsync"/>), within 3 seconds.
/// The transport calls this off its receive loop, a bounded number at a time; an exception is logged and dropped.
/// </summary>
internal interface IDiscordInteractionHandler
{
    Task HandleInteractionAsync(JsonElement interaction, CancellationToken ct);
}
