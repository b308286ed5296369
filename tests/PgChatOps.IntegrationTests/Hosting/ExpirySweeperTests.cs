using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Actions;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Hosting;

public sealed class ExpirySweeperTests
{
    private sealed class Throwing : IActionExpiryListener
    {
        public Task OnExpiredAsync(PendingAction action, Reply reply, CancellationToken ct) =>
            throw new InvalidOperationException("a platform that is down");
    }

    private sealed class Recording : IActionExpiryListener
    {
        public ConcurrentQueue<(Guid Id, Reply Reply)> Seen { get; } = new();

        public Task OnExpiredAsync(PendingAction action, Reply reply, CancellationToken ct)
        {
            Seen.Enqueue((action.Id, reply));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_throwing_listener_neither_hides_an_expiry_from_the_others_nor_stops_the_sweeper()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var first = await sessions.OpenAsync();
        var second = await sessions.OpenAsync();
        var third = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recording = new Recording();
        var rules = new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "console",
            ["Access:Rules:0:Channels:0"] = "*",
            ["Access:Rules:0:Users:0"] = "alice",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "terminate",
        };
        await using var app = await TestApp.CreateAsync(rules, s =>
        {
            s.AddSingleton<IActionExpiryListener>(new Throwing());
            s.AddSingleton<IActionExpiryListener>(recording);
        }, time);
        var pipeline = app.Services.GetRequiredService<CommandPipeline>();
        async Task<Guid> PreviewAsync(TestSession victim)
        {
            var reply = await pipeline.HandleAsync(CoreHost.Request($"kill {victim.Pid}"), CancellationToken.None);
            Assert.Equal(ReplyKind.Confirmation, reply.Kind);
            return reply.ActionId!.Value;
        }

        var a = await PreviewAsync(first);
        var b = await PreviewAsync(second);
        await SweeperClock.ExpireAsync(time, TimeSpan.FromMinutes(5), () => recording.Seen.Count >= 2);
        var c = await PreviewAsync(third);
        await SweeperClock.ExpireAsync(time, TimeSpan.FromMinutes(5), () => recording.Seen.Count >= 3);

        Assert.Equal(new[] { a, b, c }.Order(), recording.Seen.Select(s => s.Id).Order());
        Assert.All(recording.Seen, s =>
        {
            Assert.Equal(ReplyKind.Outcome, s.Reply.Kind);
            Assert.True(s.Reply.ReplaceOriginal);
            Assert.Empty(s.Reply.Buttons);
            Assert.StartsWith("Expired: nobody confirmed within 5 minutes; nothing was done", s.Reply.Title, StringComparison.Ordinal);
        });
        Assert.True(await TestSessions.IsAliveAsync(first));
        Assert.True(await TestSessions.IsAliveAsync(third));
    }
}
