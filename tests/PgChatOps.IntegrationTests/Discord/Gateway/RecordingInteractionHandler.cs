using System.Collections.Concurrent;
using System.Text.Json;
using PgChatOps.Discord.Gateway;

namespace PgChatOps.IntegrationTests.Discord.Gateway;

/// <summary>Records every interaction the transport hands over, then runs <see cref="OnInteraction"/> (default: nothing).</summary>
internal sealed class RecordingInteractionHandler : IDiscordInteractionHandler
{
    public ConcurrentQueue<JsonElement> Interactions { get; } = new();

    public Func<JsonElement, CancellationToken, Task> OnInteraction { get; set; } = (_, _) => Task.CompletedTask;

    public async Task HandleInteractionAsync(JsonElement interaction, CancellationToken respondBy, CancellationToken ct)
    {
        Interactions.Enqueue(interaction);
        await OnInteraction(interaction, ct);
    }

    public bool Saw(string id) => Interactions.Any(i => i.GetProperty("id").GetString() == id);

    public async Task WaitForAsync(string id, TimeSpan? timeout = null) =>
        await FakeDiscordGateway.Until(() => Saw(id), timeout, $"interaction {id} at the handler");
}
