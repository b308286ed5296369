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
    /// <param name="respondBy">
    /// Cancelled when the answer must go out: two seconds after the interaction arrived (not after a worker took it),
    /// so that one that waited in the queue still defers in time for Discord's 3 seconds.
    /// </param>
    /// <param name="ct">The handler's whole life: the callback and any follow-up.</param>
    Task HandleInteractionAsync(JsonElement interaction, CancellationToken respondBy, CancellationToken ct);
}
