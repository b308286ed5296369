using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Gateway interactions take the same way as the HTTP endpoint's: <see cref="DiscordInteractions"/> decides the
/// immediate response (answer, or defer and finish on detached work), which goes back as the interaction callback
/// instead of as an HTTP response body.
/// </summary>
internal sealed class DiscordGatewayInteractionHandler(
    DiscordInteractions interactions, DiscordApiClient api, ILogger<DiscordGatewayInteractionHandler> log) : IDiscordInteractionHandler
{
    public async Task HandleInteractionAsync(JsonElement interaction, CancellationToken respondBy, CancellationToken ct)
    {
        var responded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var response = await interactions.HandleAsync(interaction, respondBy, responded.Task);
            var id = DiscordOrigin.String(interaction, "id");
            var token = DiscordOrigin.String(interaction, "token");
            if (response is null || id is null || token is null)
            {
                log.MalformedInteraction(id);
                return;
            }
            var result = await api.RespondToInteractionAsync(id, token, response, ct);
            if (!result.IsSuccess)
            {
                log.CallbackFailed(result.ToString());
            }
        }
        finally
        {
            // Whatever became of the callback, a deferred reply may now try its edit.
            responded.TrySetResult();
        }
    }
}
