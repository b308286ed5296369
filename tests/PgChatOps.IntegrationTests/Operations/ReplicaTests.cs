using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>Two replicas of the core on one shared state store, as two pods behind a Service.</summary>
public sealed class ReplicaTests
{
    [Fact]
    public async Task A_confirmation_posted_by_one_replica_executes_once_when_clicked_on_another()
    {
        await using var sessions = await TestSessions.CreateAsync("replica");
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var a = await CoreHost.StartAsync(stateDatabase: state);
        await using var b = await CoreHost.StartAsync(stateDatabase: state);

        var preview = await a.SendAsync($"kill {victim.Pid}");
        var executed = await b.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);
        var again = await a.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.Equal(ReplyKind.Outcome, executed.Kind);
        Assert.False(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(ReplyKind.Error, again.Kind);
        Assert.StartsWith("Already handled: this terminate was already executed, confirmed by alice", again.Title, StringComparison.Ordinal);
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pgchatops.audit_log WHERE action_id = @id AND event = 'executed'", state, ("id", preview.ActionId!.Value)));
    }

    [Fact]
    public async Task Simultaneous_clicks_on_two_replicas_execute_once()
    {
        await using var sessions = await TestSessions.CreateAsync("race");
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var a = await CoreHost.StartAsync(stateDatabase: state);
        await using var b = await CoreHost.StartAsync(stateDatabase: state);
        var preview = await a.SendAsync($"kill {victim.Pid}");

        var replies = await Task.WhenAll(
            a.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm),
            b.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm));

        Assert.Single(replies, r => r.Kind == ReplyKind.Outcome);
        Assert.Single(replies, r => r.Kind == ReplyKind.Error && r.Title.StartsWith("Already handled", StringComparison.Ordinal));
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pgchatops.audit_log WHERE action_id = @id AND event = 'executed'", state, ("id", preview.ActionId!.Value)));
    }
}
