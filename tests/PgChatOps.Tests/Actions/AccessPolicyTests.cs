using Microsoft.Extensions.Options;
using PgChatOps.Actions;
using PgChatOps.Commands;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Actions;

public sealed class AccessPolicyTests
{
    private static AccessPolicy Policy(params AccessRule[] rules) =>
        new(Options.Create(new PgChatOpsOptions { Access = new AccessOptions { Rules = [.. rules] } }));

    private static readonly ChatUser Alice = new("U1", "alice", ["S-oncall"]);
    private static readonly ChatUser Bob = new("U2", "bob", []);

    [Fact]
    public void No_rule_denies_everything_but_help()
    {
        var policy = Policy();

        Assert.True(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Alice, "prod", VerbClass.None));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Alice, "prod", VerbClass.View));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Alice, "prod", VerbClass.Terminate));
    }

    [Theory]
    [InlineData("slack", "C1", "U1", "prod", "view", true)]
    [InlineData("slack", "C1", "U1", "prod", "terminate", false)]
    [InlineData("discord", "C1", "U1", "prod", "view", false)]
    [InlineData("slack", "C2", "U1", "prod", "view", false)]
    [InlineData("slack", "C1", "U2", "prod", "view", false)]
    [InlineData("slack", "C1", "U1", "staging", "view", false)]
    public void A_rule_must_match_platform_channel_user_target_and_permission(string platform, string channel, string user, string target, string verb, bool allowed)
    {
        var policy = Policy(new AccessRule { Platform = "slack", Channels = ["C1"], Users = ["U1"], Targets = ["prod"], Allow = ["view"] });
        var who = user == "U1" ? Alice with { Groups = [] } : Bob;

        Assert.Equal(allowed, policy.IsAllowed(new ChatPlace(Enum.Parse<Platform>(platform, true), "T1", channel), who, target, Class(verb)));
    }

    [Fact]
    public void Empty_users_and_groups_mean_anyone_in_the_channel()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Channels = ["C1"], Allow = ["view"] });

        Assert.True(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Bob, "any", VerbClass.View));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C9"), Bob, "any", VerbClass.View));
    }

    [Fact]
    public void A_group_grants_its_members_only()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Channels = ["*"], Groups = ["S-oncall"], Allow = ["terminate"] });

        Assert.True(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C7"), Alice, "prod", VerbClass.Terminate));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C7"), Bob, "prod", VerbClass.Terminate));
        Assert.Equal(["S-oncall"], policy.GroupsNamed(new ChatPlace(Platform.Slack, "T1", "C7")));
        Assert.Empty(policy.GroupsNamed(new ChatPlace(Platform.Discord, "G1", "C7")));
    }

    [Fact]
    public void Wildcards_match_any_platform_channel_user_and_target()
    {
        var policy = Policy(new AccessRule { Platform = "*", Channels = ["*"], Users = ["*"], Targets = ["*"], Allow = ["cancel"] });

        Assert.True(policy.IsAllowed(new ChatPlace(Platform.Discord, "T1", "123"), Bob, "x", VerbClass.Cancel));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Discord, "T1", "123"), Bob, "x", VerbClass.Terminate));
    }

    [Fact]
    public void A_rule_without_channels_matches_nothing()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Allow = ["view"] });

        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Alice, "prod", VerbClass.View));
    }

    [Theory]
    [InlineData(Platform.Slack, "T1", "D0123")]
    [InlineData(Platform.Discord, "dm", "1400000000000000001")]
    public void Item4_a_star_rule_does_not_match_a_dm_on_either_platform(Platform platform, string workspace, string channel)
    {
        var policy = Policy(new AccessRule { Platform = "*", Workspaces = ["*"], Channels = ["*"], Allow = ["view", "terminate"] });

        Assert.False(policy.IsAllowed(new ChatPlace(platform, workspace, channel, IsDirectMessage: true), Bob, "prod", VerbClass.View));
        Assert.False(policy.IsAllowed(new ChatPlace(platform, workspace, channel, IsDirectMessage: true), Bob, "prod", VerbClass.Terminate));
        Assert.True(policy.IsAllowed(new ChatPlace(platform, workspace, channel), Bob, "prod", VerbClass.View));
    }

    [Fact]
    public void Item4_only_a_rule_naming_dm_matches_a_dm_and_dm_matches_no_channel()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Channels = ["DM"], Users = ["U1"], Allow = ["view"] });

        Assert.True(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "D0123", IsDirectMessage: true), Alice, "prod", VerbClass.View));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "D0123", IsDirectMessage: true), Bob, "prod", VerbClass.View));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "dm"), Alice, "prod", VerbClass.View));
        Assert.False(policy.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Alice, "prod", VerbClass.View));
    }

    [Fact]
    public void Item4_a_rule_applies_only_in_its_workspaces_and_without_them_in_any()
    {
        var bound = Policy(new AccessRule { Platform = "slack", Workspaces = ["T1"], Channels = ["*"], Allow = ["terminate"] });
        var unbound = Policy(new AccessRule { Platform = "slack", Channels = ["*"], Allow = ["terminate"] });
        var star = Policy(new AccessRule { Platform = "slack", Workspaces = ["*"], Channels = ["*"], Allow = ["terminate"] });

        Assert.True(bound.IsAllowed(new ChatPlace(Platform.Slack, "T1", "C1"), Bob, "prod", VerbClass.Terminate));
        Assert.False(bound.IsAllowed(new ChatPlace(Platform.Slack, "T2", "C1"), Bob, "prod", VerbClass.Terminate));
        Assert.True(unbound.IsAllowed(new ChatPlace(Platform.Slack, "T2", "C1"), Bob, "prod", VerbClass.Terminate));
        Assert.True(star.IsAllowed(new ChatPlace(Platform.Slack, "T2", "C1"), Bob, "prod", VerbClass.Terminate));
    }

    [Fact]
    public void Item5_group_lookups_are_needed_only_for_rules_that_apply_where_the_user_is()
    {
        var policy = Policy(
            new AccessRule { Platform = "slack", Workspaces = ["T1"], Channels = ["C1"], Groups = ["S-oncall"], Allow = ["terminate"] },
            new AccessRule { Platform = "slack", Workspaces = ["T1"], Channels = ["dm"], Groups = ["S-dba"], Allow = ["view"] });

        Assert.Equal(["S-oncall"], policy.GroupsNamed(new ChatPlace(Platform.Slack, "T1", "C1")));
        Assert.Equal(["S-dba"], policy.GroupsNamed(new ChatPlace(Platform.Slack, "T1", "D1", IsDirectMessage: true)));
        Assert.Empty(policy.GroupsNamed(new ChatPlace(Platform.Slack, "T2", "C1")));
        Assert.Empty(policy.GroupsNamed(new ChatPlace(Platform.Slack, "T1", "C9")));
    }

    private static VerbClass Class(string name) => name switch
    {
        "view" => VerbClass.View,
        "cancel" => VerbClass.Cancel,
        _ => VerbClass.Terminate,
    };
}
