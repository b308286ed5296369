using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PgChatOps.Actions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Issue #10, item 5: an action never stays stuck in 'confirmed'.</summary>
public sealed class StuckActionTests
{
    private sealed class Recording : IActionExpiryListener
    {
        public ConcurrentQueue<(PendingAction Action, Reply Reply)> Unknown { get; } = new();

        public Task OnExpiredAsync(PendingAction action, Reply reply, CancellationToken ct) => Task.CompletedTask;

        public Task OnOutcomeUnknownAsync(PendingAction action, Reply reply, CancellationToken ct)
        {
            Unknown.Enqueue((action, reply));
            return Task.CompletedTask;
        }
    }

    private static Task<string> StatusAsync(string stateDatabase, Guid id) =>
        TestDatabase.ScalarAsync<string>("SELECT status FROM pgchatops.pending_actions WHERE id = @id", stateDatabase, ("id", id));

    [Fact]
    public async Task Item5_a_kill_whose_target_was_removed_from_the_configuration_before_the_click_ends_failed_with_the_reason()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var before = await CoreHost.StartAsync(
            new Dictionary<string, string?> { ["Targets:extra:ConnectionString"] = await TestDatabase.ConnectionStringAsync() }, stateDatabase: state);
        await using var after = await CoreHost.StartAsync(stateDatabase: state);
        var preview = await before.SendAsync($"kill {victim.Pid} target=extra");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        var outcome = await after.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.Equal("Failed: the terminate on extra did not complete", outcome.Title);
        Assert.Contains(outcome.Fields, f => f.Name == "error" && f.Value == "the target extra is no longer configured here; nothing was signalled");
        Assert.Contains(outcome.Notes, n => n.StartsWith("Nothing was signalled.", StringComparison.Ordinal));
        Assert.Equal("failed", await StatusAsync(state, preview.ActionId.Value));
        var audit = await AuditRows.ForActionAsync(after.StateConnectionString, preview.ActionId.Value);
        Assert.Equal(["confirmation", "confirmed", "failed"], audit.Select(a => a.Event));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Item5_a_kill_whose_target_is_unreachable_at_the_click_ends_failed_and_says_nothing_was_signalled()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var reachable = await CoreHost.StartAsync(stateDatabase: state);
        await using var cutOff = await CoreHost.StartAsync(stateDatabase: state,
            targetConnectionString: "Host=127.0.0.1;Port=1;Username=nobody;Database=postgres;Timeout=2");
        var preview = await reachable.SendAsync($"kill {victim.Pid}");

        var outcome = await cutOff.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal("Failed: the terminate on test did not complete", outcome.Title);
        Assert.Contains(outcome.Fields, f => f.Name == "error" && f.Value.StartsWith("could not connect to test (", StringComparison.Ordinal)
            && f.Value.EndsWith("); nothing was signalled", StringComparison.Ordinal));
        Assert.Contains(outcome.Notes, n => n.StartsWith("Nothing was signalled.", StringComparison.Ordinal));
        Assert.Equal("failed", await StatusAsync(state, preview.ActionId.Value));
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Item5_an_action_left_confirmed_by_a_replica_that_stopped_ends_outcome_unknown_audited_and_posted_at_start_up()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var recent = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        Guid stuck, running;
        await using (var stopped = await CoreHost.StartAsync(stateDatabase: state))
        {
            stuck = (await stopped.SendAsync($"kill {victim.Pid}")).ActionId!.Value;
            running = (await stopped.SendAsync($"kill {recent.Pid}")).ActionId!.Value;
        }
        // What a replica leaves behind when it stops between claiming a confirmation and recording its result:
        // one an hour ago, one just now (possibly still being executed elsewhere).
        await TestDatabase.ScalarAsync<int>("""
            UPDATE pgchatops.pending_actions
            SET status = 'confirmed', decided_by = 'bob', decided_by_name = 'bob',
                decided_at = CASE WHEN id = @stuck THEN now() - interval '1 hour' ELSE now() END
            WHERE id IN (@stuck, @running);
            SELECT 1
            """, state, ("stuck", stuck), ("running", running));

        var recording = new Recording();
        await using var restarted = await TestApp.CreateAsync(services: s => s.AddSingleton<IActionExpiryListener>(recording), stateDatabase: state);
        for (var i = 0; i < 200 && recording.Unknown.IsEmpty; i++)
        {
            await Task.Delay(50);
        }

        var (action, reply) = Assert.Single(recording.Unknown);
        Assert.Equal(stuck, action.Id);
        Assert.Equal(ReplyKind.Outcome, reply.Kind);
        Assert.Equal(Visibility.Channel, reply.Visibility);
        Assert.Equal("Outcome unknown: the terminate on test was confirmed but its result was never recorded", reply.Title);
        Assert.Contains(reply.Fields, f => f.Name == "confirmed by" && f.Value == "bob");
        Assert.Contains(reply.Notes, n => n.Contains("may or may not have been signalled", StringComparison.Ordinal));
        Assert.Equal("outcome_unknown", await StatusAsync(state, stuck));
        Assert.Equal("confirmed", await StatusAsync(state, running));
        var audit = await AuditRows.ForActionAsync(await TestDatabase.ConnectionStringAsync(state), stuck);
        Assert.Equal(["confirmation", "outcome_unknown"], audit.Select(a => a.Event));
        Assert.True(await TestSessions.IsAliveAsync(victim), "an action of unknown outcome is reported, never run again");
    }
}
