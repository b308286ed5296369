using Microsoft.Extensions.Time.Testing;
using PgChatOps.Actions;

namespace PgChatOps.Tests.Actions;

public sealed class ConfirmationMessagesTests
{
    [Fact]
    public void A_message_is_taken_once()
    {
        var messages = new ConfirmationMessages<string>(new FakeTimeProvider(DateTimeOffset.UtcNow), TimeSpan.FromMinutes(15));
        var id = Guid.NewGuid();
        messages.Remember(id, "message");

        Assert.Equal("message", messages.Take(id));
        Assert.Null(messages.Take(id));
        Assert.Equal(0, messages.Count);
    }

    [Fact]
    public void A_message_older_than_its_handle_lives_is_not_returned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var messages = new ConfirmationMessages<string>(time, TimeSpan.FromMinutes(15));
        var id = Guid.NewGuid();
        messages.Remember(id, "message");

        time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        Assert.Null(messages.Take(id));
    }

    [Fact]
    public void Forgotten_messages_are_gone()
    {
        var messages = new ConfirmationMessages<string>(new FakeTimeProvider(DateTimeOffset.UtcNow), TimeSpan.FromMinutes(15));
        var id = Guid.NewGuid();
        messages.Remember(id, "message");
        messages.Forget(id);

        Assert.Null(messages.Take(id));
    }

    [Fact]
    public void The_count_stays_bounded_stale_entries_go_first_then_the_oldest()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var messages = new ConfirmationMessages<string>(time, TimeSpan.FromMinutes(30), maxCount: 10);
        var stale = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        stale.ForEach(id => messages.Remember(id, "stale"));
        time.Advance(TimeSpan.FromMinutes(31));
        var live = new List<Guid>();
        for (var i = 0; i < 25; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var id = Guid.NewGuid();
            live.Add(id);
            messages.Remember(id, "live " + i);
            Assert.True(messages.Count <= 10, $"{messages.Count} entries after {i + 1} live ones");
        }

        Assert.Equal("live 24", messages.Take(live[^1]));
        Assert.Null(messages.Take(live[0]));
        Assert.All(stale, id => Assert.Null(messages.Take(id)));
    }
}
