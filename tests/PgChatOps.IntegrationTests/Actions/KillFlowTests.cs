using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Actions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

public sealed class KillFlowTests
{
    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Kill_shows_the_session_and_ends_it_only_after_the_confirmation()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenIdleInTransactionAsync();
        await using var core = await CoreHost.StartAsync();

        var preview = await core.SendAsync($"kill {victim.Pid}");

        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.Equal(Visibility.Channel, preview.Visibility);
        Assert.Equal(Pid(victim.Pid), Assert.Single(preview.Table!.Rows)[0]);
        var confirm = Assert.Single(preview.Buttons, b => b.Role == ButtonRole.Confirm);
        Assert.True(confirm.Danger);
        Assert.True(await TestSessions.IsAliveAsync(victim), "the preview alone must not touch the session");

        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.True(outcome.ReplaceOriginal);
        Assert.Empty(outcome.Buttons);
        Assert.Contains(outcome.Table!.Rows, r => r[0] == Pid(victim.Pid) && r[^1] == "terminated");
        Assert.False(await TestSessions.IsAliveAsync(victim));
        var audit = await AuditRows.ForActionAsync(core.StateConnectionString, preview.ActionId.Value);
        Assert.Equal(["confirmation", "confirmed", "executed"], audit.Select(a => a.Event));
        Assert.Equal((victim.Pid, "terminated"), (audit[2].Pid!.Value, audit[2].Outcome!));
    }

    [Fact]
    public async Task Twenty_simultaneous_confirmations_execute_once()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var a = await sessions.OpenAsync(sessions.App("bulk"));
        var b = await sessions.OpenAsync(sessions.App("bulk"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill app={sessions.App("bulk")}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        var clicks = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm))));

        Assert.Single(clicks, c => c.Kind == ReplyKind.Outcome);
        var others = clicks.Where(c => c.Kind != ReplyKind.Outcome).ToList();
        Assert.Equal(19, others.Count);
        Assert.All(others, o => Assert.StartsWith("Already handled", o.Title, StringComparison.Ordinal));
        Assert.All(others, o => Assert.Contains("alice", o.Title, StringComparison.Ordinal));
        Assert.Equal(2, await AuditRows.CountAsync(core.StateConnectionString, "action_id = @id AND event = 'executed'", ("id", preview.ActionId!.Value)));
        Assert.Equal(1, await AuditRows.CountAsync(core.StateConnectionString, "action_id = @id AND event = 'confirmed'", ("id", preview.ActionId!.Value)));
        Assert.False(await TestSessions.IsAliveAsync(a));
        Assert.False(await TestSessions.IsAliveAsync(b));
    }

    [Fact]
    public async Task An_expired_confirmation_does_nothing()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var core = await CoreHost.StartAsync(time: time);
        var preview = await core.SendAsync($"kill {victim.Pid}");

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.StartsWith("Expired", outcome.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
        var audit = await AuditRows.ForActionAsync(core.StateConnectionString, preview.ActionId.Value);
        Assert.Contains(audit, a => a.Event == "expired");
        Assert.DoesNotContain(audit, a => a.Event is "confirmed" or "executed");

        var again = await core.ClickAsync(preview.ActionId.Value, ButtonRole.Confirm);
        Assert.StartsWith("Expired", again.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
        Assert.Equal(1, await AuditRows.CountAsync(core.StateConnectionString, "action_id = @id AND event = 'expired'", ("id", preview.ActionId.Value)));
    }

    [Fact]
    public async Task A_confirmation_just_inside_its_time_to_live_still_works()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Confirmation:TimeToLive"] = "00:01:00" }, time: time);
        var preview = await core.SendAsync($"kill {victim.Pid}");

        time.Advance(TimeSpan.FromSeconds(59));
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task A_session_that_ended_after_the_preview_is_reported_and_not_touched()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var gone = await sessions.OpenAsync(sessions.App("pair"));
        var stays = await sessions.OpenAsync(sessions.App("pair"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill app={sessions.App("pair")}");
        await TestSessions.CloseAndWaitGoneAsync(gone);

        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Contains(outcome.Table!.Rows, r => r[0] == Pid(gone.Pid) && r[^1].StartsWith("already gone", StringComparison.Ordinal));
        Assert.Contains(outcome.Table!.Rows, r => r[0] == Pid(stays.Pid) && r[^1] == "terminated");
        Assert.StartsWith("Terminated 1 of 2", outcome.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_backend_start_is_refused_and_the_live_session_left_alone()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var live = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync();
        var signaller = core.Services.GetService(typeof(BackendSignaller)) as BackendSignaller;

        // The same pid with another start time is what a reused pid looks like.
        var stale = new PlannedSession(live.Pid, live.BackendStart.AddSeconds(-30), sessions.Role, "postgres", live.Application, "idle", null, null);
        var outcomes = await signaller!.SignalAsync(core.Target, ActionKind.Terminate, [stale], TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(Outcomes.Reused, Assert.Single(outcomes).Outcome);
        Assert.True(await TestSessions.IsAliveAsync(live));
    }

    [Fact]
    public async Task A_bulk_preview_does_not_extend_to_sessions_that_arrived_after_it()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var first = await sessions.OpenAsync(sessions.App("wave"));
        var second = await sessions.OpenAsync(sessions.App("wave"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill app={sessions.App("wave")}");
        Assert.Equal(2, preview.Table!.Rows.Count);

        var late = await sessions.OpenAsync(sessions.App("wave"));
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(2, outcome.Table!.Rows.Count);
        Assert.False(await TestSessions.IsAliveAsync(first));
        Assert.False(await TestSessions.IsAliveAsync(second));
        Assert.True(await TestSessions.IsAliveAsync(late), "a session that started after the preview must never be touched");
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_says_so_and_offers_no_button()
    {
        await using var sessions = await TestSessions.CreateAsync();
        await using var core = await CoreHost.StartAsync();

        var reply = await core.SendAsync($"kill app={sessions.App("nobody")}");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.StartsWith("No sessions match", reply.Title, StringComparison.Ordinal);
        Assert.Empty(reply.Buttons);
        Assert.Null(reply.ActionId);
    }

    [Fact]
    public async Task A_bulk_action_over_the_limit_is_refused_with_the_count()
    {
        await using var sessions = await TestSessions.CreateAsync();
        for (var i = 0; i < 4; i++)
        {
            await sessions.OpenAsync(sessions.App("many"));
        }
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Confirmation:MaxSessions"] = "3" });

        var reply = await core.SendAsync($"kill app={sessions.App("many")}");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains("4 sessions match", reply.Title, StringComparison.Ordinal);
        Assert.Contains("more than the 3", reply.Title, StringComparison.Ordinal);
        Assert.Empty(reply.Buttons);
    }

    [Fact]
    public async Task Cancel_stops_the_query_and_keeps_the_connection()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var busy = await sessions.OpenActiveAsync();
        await using var core = await CoreHost.StartAsync();

        var preview = await core.SendAsync($"cancel {busy.Pid}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.False(Assert.Single(preview.Buttons, b => b.Role == ButtonRole.Confirm).Danger);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Contains(outcome.Table!.Rows, r => r[0] == Pid(busy.Pid) && r[^1].StartsWith("query cancelled", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => busy.Background!.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Npgsql.PostgresErrorCodes.QueryCanceled, error.SqlState);
        Assert.True(await TestSessions.IsAliveAsync(busy));
        await busy.ExecuteAsync("SELECT 1");
    }

    [Fact]
    public async Task Aborting_leaves_the_session_and_replaces_the_confirmation()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill {victim.Pid}");

        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Abort);
        var late = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
        Assert.StartsWith("Aborted by alice", outcome.Title, StringComparison.Ordinal);
        Assert.StartsWith("Already handled", late.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
        var audit = await AuditRows.ForActionAsync(core.StateConnectionString, preview.ActionId.Value);
        Assert.Equal(["confirmation", "aborted"], audit.Select(a => a.Event));
    }

    [Fact]
    public async Task A_click_from_another_channel_is_refused()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill {victim.Pid}", channel: "incident-1");

        var click = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm, channel: "elsewhere");

        Assert.Equal(ReplyKind.Error, click.Kind);
        Assert.Contains("another channel", click.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task An_unknown_confirmation_id_does_nothing()
    {
        await using var core = await CoreHost.StartAsync();

        var click = await core.ClickAsync(Guid.NewGuid(), ButtonRole.Confirm);

        Assert.Equal(ReplyKind.Error, click.Kind);
        Assert.Contains("unknown", click.Title, StringComparison.Ordinal);
    }
}
