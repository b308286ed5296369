using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Issue #13 item 5: help shows first what the asker may do here, never the rules.</summary>
public sealed class HelpFitsTheAskerTests
{
    [Fact]
    public async Task Help_from_a_view_only_channel_does_not_offer_kill_and_an_allowed_channel_does()
    {
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Access:Rules:0:Platform"] = "console",
            ["Access:Rules:0:Channels:0"] = "viewers",
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:1:Platform"] = "console",
            ["Access:Rules:1:Channels:0"] = "oncall",
            ["Access:Rules:1:Users:0"] = "alice",
            ["Access:Rules:1:Allow:0"] = "view",
            ["Access:Rules:1:Allow:1"] = "terminate",
        }, defaultRules: false);

        var viewer = await core.SendAsync("help", user: "bob", channel: "viewers");
        var oncall = await core.SendAsync("help", user: "alice", channel: "oncall");
        var stranger = await core.SendAsync("help", user: "bob", channel: "elsewhere");

        var mine = viewer.Fields[0];
        Assert.Equal("you may, here", mine.Name);
        Assert.Equal("targets, sessions, summary, blocking, snapshot, show, audit, watch, history on test", mine.Value);
        Assert.DoesNotContain("kill", mine.Value, StringComparison.Ordinal);
        Assert.Equal("targets, sessions, summary, blocking, snapshot, show, audit, watch, history on test; kill on test", oncall.Fields[0].Value);
        Assert.StartsWith("only help", stranger.Fields[0].Value, StringComparison.Ordinal);
        // The grammar still follows, and no rule is shown.
        Assert.Contains(viewer.Fields, f => f.Name.StartsWith("/pg kill", StringComparison.Ordinal));
        Assert.DoesNotContain(viewer.Fields, f => f.Value.Contains("oncall", StringComparison.Ordinal) || f.Value.Contains("alice", StringComparison.Ordinal));
    }
}
