using System.Diagnostics;
using System.Globalization;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>
/// Issue #10, item 1, in bulk: PostgreSQL gives a statement one pg_stat_activity snapshot, so every session of a
/// confirmed action must be checked and signalled in that statement without waiting, and the wait for exits must
/// come afterwards. Otherwise session N is checked against data up to (N-1) terminate waits old.
/// </summary>
public sealed class SignalSnapshotTests
{
    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> Row(Reply outcome, TestSession s) => Assert.Single(outcome.Table!.Rows, r => r[0] == Pid(s.Pid));

    /// <summary>
    /// Stops or resumes a backend process (SIGSTOP/SIGCONT). The throwaway server runs on this machine, started by
    /// this test process's user, so it may signal its backends. A stopped backend cannot act on SIGTERM: it is the
    /// backend that does not exit within the terminate wait.
    /// </summary>
    private static async Task SendSignalAsync(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Pid(pid)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task<bool> GoneWithinAsync(TestSession s, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (!await TestSessions.IsAliveAsync(s))
            {
                return true;
            }
            await Task.Delay(25);
        }
        return !await TestSessions.IsAliveAsync(s);
    }

    [Fact]
    public async Task Item1_a_bulk_kill_checks_every_session_at_the_moment_of_the_signal_not_after_earlier_waits()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var one = await sessions.OpenAsync(sessions.App("pool"));
        var two = await sessions.OpenAsync(sessions.App("pool"));
        // The action works through its sessions in pid order: the slow one comes first.
        var (slow, next) = one.Pid < two.Pid ? (one, two) : (two, one);
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Monitoring:TerminateWait"] = "00:00:03" });
        var preview = await core.SendAsync($"kill app={sessions.App("pool")} state=idle");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.Equal(2, preview.Table!.Rows.Count);

        await SendSignalAsync("STOP", slow.Pid);
        try
        {
            var clock = Stopwatch.StartNew();
            var click = core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

            // The second session is checked and signalled with the first, not after waiting for the first to exit:
            // checked later, it would be checked against what it was doing when the statement began.
            Assert.True(await GoneWithinAsync(next, TimeSpan.FromSeconds(1.5)),
                "the second session must be signalled at once, not after the wait for the first one to exit");
            Assert.False(click.IsCompleted, "the action still waits (up to Monitoring:TerminateWait) for the first session to exit");

            var outcome = await click;
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9), $"the action waited {clock.Elapsed} for the stopped backend, not the terminate wait");
            Assert.StartsWith("Terminated 1 of 2 sessions", outcome.Title, StringComparison.Ordinal);
            Assert.Equal("signalled, but still running after the wait", Row(outcome, slow)[^1]);
            Assert.Equal("terminated", Row(outcome, next)[^1]);
            var audit = await AuditRows.ForActionAsync(core.StateConnectionString, preview.ActionId.Value);
            Assert.Contains(audit, a => a.Event == "executed" && a.Pid == slow.Pid && a.Outcome == "still_running");
            Assert.Contains(audit, a => a.Event == "executed" && a.Pid == next.Pid && a.Outcome == "terminated");
        }
        finally
        {
            await SendSignalAsync("CONT", slow.Pid);
        }
        // The SIGTERM it was sent takes effect once it runs again: it was signalled once, and that was enough.
        Assert.True(await GoneWithinAsync(slow, TimeSpan.FromSeconds(5)), "the stopped backend exits on the SIGTERM it was sent once resumed");
    }

    [Fact]
    public async Task Item1_a_bulk_kill_reports_every_session_terminated_once_each_has_exited()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var all = new[]
        {
            await sessions.OpenAsync(sessions.App("pool")),
            await sessions.OpenAsync(sessions.App("pool")),
            await sessions.OpenAsync(sessions.App("pool")),
        };
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Monitoring:TerminateWait"] = "00:00:05" });
        var preview = await core.SendAsync($"kill app={sessions.App("pool")} state=idle");
        Assert.Equal(3, preview.Table!.Rows.Count);

        var clock = Stopwatch.StartNew();
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 3 of 3 sessions", outcome.Title, StringComparison.Ordinal);
        foreach (var s in all)
        {
            Assert.Equal("terminated", Row(outcome, s)[^1]);
            // "terminated" is said only once the backend has gone: no wait left over.
            Assert.False(await TestSessions.IsAliveAsync(s));
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"backends that exit at once are not waited for the full terminate wait ({clock.Elapsed})");
    }
}
