using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PgChatOps.Discord.Gateway;

namespace PgChatOps.Tests.Discord.Gateway;

public sealed class GatewayInteractionDispatcherTests
{
    private static readonly DiscordGatewayOptions Options = new("token", new Uri("http://127.0.0.1/api/v10/"))
    {
        MaxConcurrentHandlers = 1,
        MaxQueuedInteractions = 1,
        StopDrainTimeout = TimeSpan.FromSeconds(5),
    };

    private static JsonElement Interaction(string id) => JsonDocument.Parse($$"""{"id":"{{id}}","token":"t"}""").RootElement.Clone();

    private sealed class GatedHandler : IDiscordInteractionHandler
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string> Handled { get; } = new();

        public async Task HandleInteractionAsync(JsonElement interaction, CancellationToken ct)
        {
            var id = interaction.GetProperty("id").GetString()!;
            FirstStarted.TrySetResult();
            await Gate.Task.WaitAsync(ct);
            Handled.Enqueue(id);
            if (id == "throws")
            {
                throw new InvalidOperationException("a handler bug");
            }
        }
    }

    [Fact]
    public async Task When_every_handler_is_busy_and_the_queue_is_full_further_interactions_are_dropped_without_blocking()
    {
        var handler = new GatedHandler();
        var dispatcher = new GatewayInteractionDispatcher(handler, Options, TimeProvider.System, NullLogger.Instance);

        dispatcher.Enqueue(Interaction("running"));
        await handler.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        dispatcher.Enqueue(Interaction("queued"));
        dispatcher.Enqueue(Interaction("dropped"));
        handler.Gate.SetResult();
        await dispatcher.DisposeAsync();

        Assert.Equal(["running", "queued"], handler.Handled);
    }

    [Fact]
    public async Task A_failing_handler_does_not_stop_the_next_interaction()
    {
        var handler = new GatedHandler();
        handler.Gate.SetResult();
        var dispatcher = new GatewayInteractionDispatcher(handler, Options with { MaxQueuedInteractions = 4 }, TimeProvider.System, NullLogger.Instance);

        dispatcher.Enqueue(Interaction("throws"));
        dispatcher.Enqueue(Interaction("after"));
        await dispatcher.DisposeAsync();

        Assert.Equal(["throws", "after"], handler.Handled);
    }

    [Fact]
    public async Task Stopping_cancels_handlers_that_outlast_the_drain_timeout()
    {
        var handler = new GatedHandler();
        var dispatcher = new GatewayInteractionDispatcher(handler, Options with { StopDrainTimeout = TimeSpan.FromMilliseconds(100) }, TimeProvider.System, NullLogger.Instance);

        dispatcher.Enqueue(Interaction("stuck"));
        await handler.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await dispatcher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(handler.Handled);
    }
}
