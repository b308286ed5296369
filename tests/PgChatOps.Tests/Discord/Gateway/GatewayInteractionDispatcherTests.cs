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

        public async Task HandleInteractionAsync(JsonElement interaction, CancellationToken respondBy, CancellationToken ct)
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

    /// <summary>Records, per interaction, whether its answer was already due when a worker took it.</summary>
    private sealed class DeadlineHandler : IDiscordInteractionHandler
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<string, bool> DueAtStart { get; } = new();

        public async Task HandleInteractionAsync(JsonElement interaction, CancellationToken respondBy, CancellationToken ct)
        {
            DueAtStart[interaction.GetProperty("id").GetString()!] = respondBy.IsCancellationRequested;
            FirstStarted.TrySetResult();
            await Gate.Task.WaitAsync(ct);
        }
    }

    [Fact]
    public async Task The_answer_is_due_two_seconds_after_arrival_not_after_a_worker_took_it()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new DeadlineHandler();
        var dispatcher = new GatewayInteractionDispatcher(handler, Options with { MaxQueuedInteractions = 4 }, clock, NullLogger.Instance);

        dispatcher.Enqueue(Interaction("first"));
        await handler.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        dispatcher.Enqueue(Interaction("late"));      // will have waited 2.5 s
        clock.Advance(TimeSpan.FromSeconds(1));
        dispatcher.Enqueue(Interaction("in-time"));   // will have waited 1.5 s
        clock.Advance(TimeSpan.FromSeconds(1.5));
        handler.Gate.SetResult();
        await dispatcher.DisposeAsync();

        Assert.False(handler.DueAtStart["first"]);
        Assert.True(handler.DueAtStart["late"]);      // a worker took it 2.5 s after arrival: defer at once
        Assert.False(handler.DueAtStart["in-time"]);  // 0.5 s left to answer inline
    }

    [Fact]
    public async Task An_interaction_that_waited_past_discords_three_seconds_is_dropped_unhandled()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new DeadlineHandler();
        var dispatcher = new GatewayInteractionDispatcher(handler, Options with { MaxQueuedInteractions = 4 }, clock, NullLogger.Instance);

        dispatcher.Enqueue(Interaction("first"));
        await handler.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        dispatcher.Enqueue(Interaction("expired"));
        clock.Advance(TimeSpan.FromSeconds(3.5));
        handler.Gate.SetResult();
        await dispatcher.DisposeAsync();

        Assert.Equal(["first"], handler.DueAtStart.Keys);
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
