using Microsoft.Extensions.Time.Testing;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Audit;

/// <summary>Issue 13 item 1: <c>/pg audit</c> answers "who killed pid N?" and narrows by pid, user, by, action, status and since.</summary>
public sealed class AuditQuestionTests
{
    private static readonly Dictionary<string, string?> ThreePeople = new()
    {
        ["Access:Rules:0:Users:1"] = "bob",
        ["Access:Rules:0:Users:2"] = "carol",
    };

    private static async Task KillAsync(CoreHost core, TestSession victim, string asker, string approver)
    {
        var preview = await core.SendAsync($"kill {victim.Pid}", asker);
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm, approver);
        Assert.Equal(ReplyKind.Outcome, outcome.Kind);
    }

    private static List<string> Pids(Reply reply) => reply.Table?.Rows.Select(r => r[5]).ToList() ?? [];

    [Fact]
    public async Task After_three_kills_audit_pid_names_the_second_ones_requester_approver_and_result_in_one_line()
    {
        await using var sessions = await TestSessions.CreateAsync("aq");
        var first = await sessions.OpenAsync();
        var second = await sessions.OpenAsync(sessions.App("second"));
        var third = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(ThreePeople);
        await KillAsync(core, first, "bob", "alice");
        await KillAsync(core, second, "carol", "bob");
        await KillAsync(core, third, "alice", "carol");

        var reply = await core.SendAsync($"audit pid={second.Pid}", "alice");
        var bare = await core.SendAsync($"audit {second.Pid}", "alice");

        Assert.Matches(
            $@"^pid {second.Pid} \({sessions.Role}@postgres\) on test: terminate asked by carol, confirmed by bob at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC, result terminated$",
            ReplyTime.Plain(reply.Title));
        Assert.Equal(reply.Title, bare.Title);
        var row = Assert.Single(reply.Table!.Rows);
        Assert.Equal([$"{second.Pid}", sessions.Role, "postgres", second.Application], row.Skip(5).Take(4));
        Assert.Equal("terminated", row[10]);
        Assert.NotEqual("", row[9]);
    }

    [Fact]
    public async Task By_lists_the_actions_a_chat_user_asked_for_or_confirmed_and_no_others()
    {
        await using var sessions = await TestSessions.CreateAsync("aby");
        var first = await sessions.OpenAsync();
        var second = await sessions.OpenAsync();
        var third = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(ThreePeople);
        await KillAsync(core, first, "bob", "alice");
        await KillAsync(core, second, "carol", "bob");
        await KillAsync(core, third, "alice", "carol");

        var bob = await core.SendAsync("audit by=bob");
        var mention = await core.SendAsync("audit by=@BOB");
        var carolAsked = await core.SendAsync("audit by=carol action=terminate status=executed");
        var cancels = await core.SendAsync("audit action=cancel");

        Assert.Equal([$"{second.Pid}", $"{first.Pid}"], Pids(bob));
        Assert.Equal(Pids(bob), Pids(mention));
        Assert.Equal("2 actions match", bob.Title);
        Assert.Equal([$"{third.Pid}", $"{second.Pid}"], Pids(carolAsked));
        Assert.Null(cancels.Table);
        Assert.Equal("No actions match on the targets you may view here", cancels.Title);
    }

    [Fact]
    public async Task Since_a_duration_or_a_date_leaves_out_older_actions()
    {
        await using var sessions = await TestSessions.CreateAsync("asince");
        var early = await sessions.OpenAsync();
        var late1 = await sessions.OpenAsync();
        var late2 = await sessions.OpenAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var core = await CoreHost.StartAsync(time: time);
        await KillAsync(core, early, "alice", "alice");
        time.Advance(TimeSpan.FromHours(3));
        await KillAsync(core, late1, "alice", "alice");
        time.Advance(TimeSpan.FromMinutes(1));
        await KillAsync(core, late2, "alice", "alice");

        var lastTwoHours = await core.SendAsync("audit since=2h");
        var lastFourHours = await core.SendAsync("audit since=4h");
        var today = await core.SendAsync($"audit since={DateTime.UtcNow:yyyy-MM-dd}");
        var later = await core.SendAsync($"audit since={DateTime.UtcNow.AddDays(2):yyyy-MM-dd}");
        var earlyPid = await core.SendAsync($"audit pid={early.Pid} since=2h");

        Assert.Equal([$"{late2.Pid}", $"{late1.Pid}"], Pids(lastTwoHours));
        Assert.Equal([$"{late2.Pid}", $"{late1.Pid}", $"{early.Pid}"], Pids(lastFourHours));
        Assert.Equal(Pids(lastFourHours), Pids(today));
        Assert.Empty(Pids(later));
        Assert.Equal($"No action touched pid {early.Pid} on the targets you may view here", earlyPid.Title);
    }

    [Fact]
    public async Task User_narrows_a_bulk_action_to_the_sessions_of_that_role()
    {
        await using var mine = await TestSessions.CreateAsync("aurole");
        await using var others = await TestSessions.CreateAsync("auother");
        var a = await mine.OpenAsync(mine.App("bulk"));
        var b = await others.OpenAsync(mine.App("bulk"));
        await using var core = await CoreHost.StartAsync();
        var preview = await core.SendAsync($"kill app={mine.App("bulk")}");
        await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        var all = await core.SendAsync("audit");
        var narrowed = await core.SendAsync($"audit user={others.Role}");
        var glob = await core.SendAsync("audit user=auother*");

        Assert.Equal(new[] { a.Pid, b.Pid }.Order().Select(p => $"{p}"), Pids(all));
        Assert.Equal([$"{b.Pid}"], Pids(narrowed));
        Assert.Contains(narrowed.Notes, n => n.StartsWith("Only the sessions that match are shown", StringComparison.Ordinal));
        Assert.Equal(Pids(narrowed), Pids(glob));
    }

    [Fact]
    public async Task An_aborted_kill_says_that_nothing_was_done()
    {
        await using var sessions = await TestSessions.CreateAsync("aabort");
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(ThreePeople);
        var preview = await core.SendAsync($"kill {victim.Pid}", "bob");
        await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Abort, "carol");

        var reply = await core.SendAsync($"audit pid={victim.Pid} status=aborted");

        Assert.Matches($@"^pid {victim.Pid} \(.+\) on test: terminate asked by bob at .+ UTC, aborted by carol: nothing done$", ReplyTime.Plain(reply.Title));
        Assert.Equal("aborted", Assert.Single(reply.Table!.Rows)[10]);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task No_filter_ever_shows_an_action_on_a_target_the_reader_may_not_view()
    {
        await using var sessions = await TestSessions.CreateAsync("aspy");
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Targets:secret:ConnectionString"] = await TestDatabase.ConnectionStringAsync(),
            // mallory may view the default target only.
            ["Access:Rules:1:Platform"] = "console",
            ["Access:Rules:1:Channels:0"] = "*",
            ["Access:Rules:1:Users:0"] = "mallory",
            ["Access:Rules:1:Targets:0"] = "test",
            ["Access:Rules:1:Allow:0"] = "view",
        });
        var preview = await core.SendAsync($"kill {victim.Pid} target=secret");
        await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);
        var owner = await core.SendAsync($"audit pid={victim.Pid}");
        Assert.Contains("on secret: terminate asked by alice", owner.Title, StringComparison.Ordinal);

        string[] probes =
        [
            $"audit pid={victim.Pid}", $"audit {victim.Pid}", "audit by=alice", "audit by=*", $"audit user={sessions.Role}",
            "audit user=*", "audit action=terminate status=executed since=1h", "audit last=100",
        ];
        foreach (var probe in probes)
        {
            var reply = await core.SendAsync(probe, "mallory");
            Assert.Null(reply.Table);
            Assert.DoesNotContain("secret", reply.Title, StringComparison.Ordinal);
            Assert.DoesNotContain("alice", reply.Title, StringComparison.Ordinal);
        }
        var named = await core.SendAsync("audit target=secret", "mallory");
        Assert.Equal(ReplyKind.Denied, named.Kind);
        Assert.Null(named.Table);
    }

    [Theory]
    [InlineData("audit since=yesterday", "since=2h")]
    [InlineData("audit since=0s", "2026-11-25")]
    [InlineData("audit action=drop", "cancel or terminate")]
    [InlineData("audit status=done", "executed, failed, aborted, expired, outcome_unknown")]
    [InlineData("audit pid=-3", "whole number")]
    [InlineData("audit verify by=alice", "takes no filters")]
    public async Task A_bad_audit_filter_says_what_is_right(string command, string hint)
    {
        await using var core = await CoreHost.StartAsync();

        var reply = await core.SendAsync(command);

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains(hint, reply.Title, StringComparison.Ordinal);
    }
}
