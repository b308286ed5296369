using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Requester and approver permissions, end to end through the pipeline against real backends.</summary>
public sealed class PermissionTests
{
    // Channel "ops": alice and bob may terminate; carol may only view; dave may cancel; group "oncall" may terminate.
    // Channel "dev": anyone may view, nobody may act.
    private static Dictionary<string, string?> Rules(bool distinct) => new()
    {
        ["Access:RequireDistinctApprover"] = distinct ? "true" : "false",
        ["Access:Rules:0:Platform"] = "console",
        ["Access:Rules:0:Channels:0"] = "ops",
        ["Access:Rules:0:Users:0"] = "alice",
        ["Access:Rules:0:Users:1"] = "bob",
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "terminate",
        ["Access:Rules:1:Platform"] = "console",
        ["Access:Rules:1:Channels:0"] = "ops",
        ["Access:Rules:1:Users:0"] = "carol",
        ["Access:Rules:1:Allow:0"] = "view",
        ["Access:Rules:2:Platform"] = "console",
        ["Access:Rules:2:Channels:0"] = "ops",
        ["Access:Rules:2:Users:0"] = "dave",
        ["Access:Rules:2:Allow:0"] = "view",
        ["Access:Rules:2:Allow:1"] = "cancel",
        ["Access:Rules:3:Platform"] = "console",
        ["Access:Rules:3:Channels:0"] = "ops",
        ["Access:Rules:3:Groups:0"] = "oncall",
        ["Access:Rules:3:Allow:0"] = "terminate",
        ["Access:Rules:4:Platform"] = "console",
        ["Access:Rules:4:Channels:0"] = "dev",
        ["Access:Rules:4:Allow:0"] = "view",
    };

    [Theory]
    // requester, approver (group "oncall" when prefixed with +), distinct approver?, expected request, expected click
    [InlineData("alice", "alice", false, "confirmation", "executed")]
    [InlineData("alice", "bob", false, "confirmation", "executed")]
    [InlineData("alice", "alice", true, "confirmation", "refused")]
    [InlineData("alice", "bob", true, "confirmation", "executed")]
    [InlineData("alice", "carol", false, "confirmation", "refused")]
    [InlineData("alice", "dave", false, "confirmation", "refused")]
    [InlineData("alice", "+erin", false, "confirmation", "executed")]
    [InlineData("alice", "mallory", false, "confirmation", "refused")]
    [InlineData("carol", "-", false, "denied", "-")]
    [InlineData("dave", "-", false, "denied", "-")]
    [InlineData("mallory", "-", false, "denied", "-")]
    [InlineData("+erin", "bob", true, "confirmation", "executed")]
    public async Task Kill_needs_terminate_for_the_requester_and_again_for_the_approver(
        string requester, string approver, bool distinct, string expectedRequest, string expectedClick)
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(Rules(distinct), defaultRules: false);

        var (reqUser, reqGroups) = Who(requester);
        var preview = await core.Pipeline.HandleAsync(CoreHost.Request($"kill {victim.Pid}", reqUser, "ops", Commands.Platform.Console, reqGroups), CancellationToken.None);

        if (expectedRequest == "denied")
        {
            Assert.Equal(ReplyKind.Denied, preview.Kind);
            Assert.Equal(Visibility.Requester, preview.Visibility);
            Assert.Contains("needs the 'terminate' permission", preview.Title, StringComparison.Ordinal);
            Assert.Empty(preview.Buttons);
            Assert.True(await TestSessions.IsAliveAsync(victim));
            return;
        }

        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        var (apUser, apGroups) = Who(approver);
        var click = await core.ClickAsync(preview.ActionId!.Value, Replies.ButtonRole.Confirm, apUser, "ops", Commands.Platform.Console, apGroups);

        if (expectedClick == "executed")
        {
            Assert.Equal(ReplyKind.Outcome, click.Kind);
            Assert.False(await TestSessions.IsAliveAsync(victim));
        }
        else
        {
            Assert.Equal(ReplyKind.Error, click.Kind);
            Assert.Equal(Visibility.Requester, click.Visibility);
            Assert.True(await TestSessions.IsAliveAsync(victim));
            // A refused click leaves the confirmation open for someone allowed.
            var (okUser, _) = distinct && requester == "alice" ? ("bob", Array.Empty<string>()) : ("alice", Array.Empty<string>());
            var retry = await core.ClickAsync(preview.ActionId.Value, Replies.ButtonRole.Confirm, okUser, "ops");
            Assert.Equal(ReplyKind.Outcome, retry.Kind);
            Assert.False(await TestSessions.IsAliveAsync(victim));
        }
    }

    [Fact]
    public async Task A_view_only_channel_can_read_but_not_kill()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync(Rules(false), defaultRules: false);

        var read = await core.SendAsync($"sessions user={sessions.Role}", "anyone", "dev");
        var kill = await core.SendAsync($"kill {victim.Pid}", "anyone", "dev");

        Assert.Equal(ReplyKind.Info, read.Kind);
        Assert.Single(read.Table!.Rows);
        Assert.Equal(ReplyKind.Denied, kill.Kind);
        Assert.DoesNotContain("Rules:", kill.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task Without_any_rule_only_help_works()
    {
        await using var core = await CoreHost.StartAsync(defaultRules: false);

        var help = await core.SendAsync("help");
        var sessions = await core.SendAsync("sessions");

        Assert.Equal(ReplyKind.Info, help.Kind);
        Assert.Equal(ReplyKind.Denied, sessions.Kind);
        Assert.Contains("'view' permission", sessions.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_denial_is_audited()
    {
        await using var core = await CoreHost.StartAsync(defaultRules: false);

        await core.SendAsync("kill 12345", "mallory");

        Assert.Equal(1, await AuditRows.CountAsync(core.StateConnectionString, "event = 'denied' AND actor_id = 'mallory' AND outcome = 'missing_terminate'"));
    }

    private static (string User, string[] Groups) Who(string spec) =>
        spec.StartsWith('+') ? (spec[1..], ["oncall"]) : (spec, []);
}
