using System.Globalization;
using PgChatOps.Actions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Issue #10, item 1: a confirmation acts on what the preview showed, not on what the session does at click time.</summary>
public sealed class ActsOnThePreviewTests
{
    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> Row(Reply outcome, TestSession s) => Assert.Single(outcome.Table!.Rows, r => r[0] == Pid(s.Pid));

    /// <summary>Starts a long query on an idle test session: the "important batch".</summary>
    private static async Task StartBatchAsync(TestSession s, int seconds = 600)
    {
        s.RunInBackground($"SELECT pg_sleep({seconds}) /* batch {s.Application} */");
        await TestSessions.WaitForStateAsync(s.Pid, "active");
    }

    /// <summary>Whether the statement started in the background is still running a little while after the click.</summary>
    private static async Task<bool> StillRunningAsync(TestSession s)
    {
        var finished = await Task.WhenAny(s.Background!, Task.Delay(TimeSpan.FromSeconds(1)));
        return finished != s.Background;
    }

    [Fact]
    public async Task Item1_cancel_of_an_idle_session_that_became_active_is_not_touched()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var pooled = await sessions.OpenAsync(sessions.App("pool"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"cancel app={sessions.App("pool")} state=idle");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.Equal("idle", Assert.Single(preview.Table!.Rows)[4]);

        await StartBatchAsync(pooled);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Cancelled the queries of 0 of 1 session", outcome.Title, StringComparison.Ordinal);
        var result = Row(outcome, pooled)[^1];
        Assert.StartsWith("changed since the preview: now active, running `SELECT pg_sleep(600) /* batch", result, StringComparison.Ordinal);
        Assert.EndsWith("; not touched", result, StringComparison.Ordinal);
        Assert.Contains(outcome.Notes, n => n.Contains("changed since the preview", StringComparison.Ordinal)
            && n.Contains($"ask again (`/pg cancel app={sessions.App("pool")} state=idle`)", StringComparison.Ordinal));
        Assert.True(await StillRunningAsync(pooled), "the batch that started after the preview must not be cancelled");
        var audit = await AuditRows.ForActionAsync(core.StateConnectionString, preview.ActionId.Value);
        Assert.Contains(audit, a => a.Event == "executed" && a.Pid == pooled.Pid && a.Outcome == "changed");
    }

    [Fact]
    public async Task Item1_cancel_of_a_session_still_idle_as_in_the_preview_says_there_was_no_query_to_cancel()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var pooled = await sessions.OpenAsync(sessions.App("pool"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"cancel app={sessions.App("pool")} state=idle");

        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Cancelled the queries of 0 of 1 session", outcome.Title, StringComparison.Ordinal);
        Assert.Equal("no query running: nothing to cancel", Row(outcome, pooled)[^1]);
        await pooled.ExecuteAsync("SELECT 1");
    }

    [Fact]
    public async Task Item1_cancel_acts_only_while_the_query_the_preview_showed_is_still_running()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var busy = await sessions.OpenActiveAsync();
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"cancel {busy.Pid}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        // The previewed query ends (here: cancelled by someone else) and the session starts another one.
        var first = busy.Background!;
        Assert.True(await TestDatabase.ScalarAsync<bool>("SELECT pg_cancel_backend(@pid)", parameters: [("pid", busy.Pid)]));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        await StartBatchAsync(busy, seconds: 601);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("changed since the preview: now active, running `SELECT pg_sleep(601)", Row(outcome, busy)[^1], StringComparison.Ordinal);
        Assert.True(await StillRunningAsync(busy), "a query that started after the preview must not be cancelled");
    }

    [Fact]
    public async Task Item1_kill_by_filter_leaves_a_session_that_no_longer_matches_and_terminates_the_rest()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var becomesBusy = await sessions.OpenAsync(sessions.App("pool"));
        var staysIdle = await sessions.OpenAsync(sessions.App("pool"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill app={sessions.App("pool")} state=idle");
        Assert.Equal(2, preview.Table!.Rows.Count);

        await StartBatchAsync(becomesBusy);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 2 sessions", outcome.Title, StringComparison.Ordinal);
        Assert.StartsWith("changed since the preview: now active, running `SELECT pg_sleep(600)", Row(outcome, becomesBusy)[^1], StringComparison.Ordinal);
        Assert.Equal("terminated", Row(outcome, staysIdle)[^1]);
        Assert.Contains(outcome.Notes, n => n.StartsWith("1 session changed since the preview and was left alone", StringComparison.Ordinal)
            && n.Contains("ask again", StringComparison.Ordinal));
        Assert.True(await TestSessions.IsAliveAsync(becomesBusy), "a session that no longer matches state=idle must not be terminated");
        Assert.False(await TestSessions.IsAliveAsync(staysIdle));
    }

    [Fact]
    public async Task Item1_kill_by_pid_terminates_the_chosen_session_and_says_it_had_become_active()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var chosen = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill {chosen.Pid}");
        Assert.Equal("idle", Assert.Single(preview.Table!.Rows)[4]);

        await StartBatchAsync(chosen);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.Equal(
            $"terminated (it was active, running `SELECT pg_sleep(600) /* batch {chosen.Application} */` by then; the preview showed it idle)",
            Row(outcome, chosen)[^1]);
        Assert.False(await TestSessions.IsAliveAsync(chosen));
    }

    [Fact]
    public async Task Item1_a_changed_session_is_described_without_its_query_where_the_target_hides_query_text()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var pooled = await sessions.OpenAsync(sessions.App("pool"));
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Targets:test:ShowQueryText"] = "false" });
        var preview = await core.SendAsync($"kill app={sessions.App("pool")} state=idle");

        await StartBatchAsync(pooled);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Equal("changed since the preview: now active, running another query; not touched", Row(outcome, pooled)[^1]);
        Assert.True(await TestSessions.IsAliveAsync(pooled));
    }
}
