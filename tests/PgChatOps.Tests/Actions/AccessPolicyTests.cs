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

        Assert.True(policy.IsAllowed(Platform.Slack, "C1", Alice, "prod", VerbClass.None));
        Assert.False(policy.IsAllowed(Platform.Slack, "C1", Alice, "prod", VerbClass.View));
        Assert.False(policy.IsAllowed(Platform.Slack, "C1", Alice, "prod", VerbClass.Terminate));
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

        Assert.Equal(allowed, policy.IsAllowed(Enum.Parse<Platform>(platform, true), channel, who, target, Class(verb)));
    }

    [Fact]
    public void Empty_users_and_groups_mean_anyone_in_the_channel()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Channels = ["C1"], Allow = ["view"] });

        Assert.True(policy.IsAllowed(Platform.Slack, "C1", Bob, "any", VerbClass.View));
        Assert.False(policy.IsAllowed(Platform.Slack, "C9", Bob, "any", VerbClass.View));
    }

    [Fact]
    public void A_group_grants_its_members_only()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Channels = ["*"], Groups = ["S-oncall"], Allow = ["terminate"] });

        Assert.True(policy.IsAllowed(Platform.Slack, "C7", Alice, "prod", VerbClass.Terminate));
        Assert.False(policy.IsAllowed(Platform.Slack, "C7", Bob, "prod", VerbClass.Terminate));
        Assert.Equal(["S-oncall"], policy.GroupsNamed(Platform.Slack));
        Assert.Empty(policy.GroupsNamed(Platform.Discord));
    }

    [Fact]
    public void Wildcards_match_any_platform_channel_user_and_target()
    {
        var policy = Policy(new AccessRule { Platform = "*", Channels = ["*"], Users = ["*"], Targets = ["*"], Allow = ["cancel"] });

        Assert.True(policy.IsAllowed(Platform.Discord, "123", Bob, "x", VerbClass.Cancel));
        Assert.False(policy.IsAllowed(Platform.Discord, "123", Bob, "x", VerbClass.Terminate));
    }

    [Fact]
    public void A_rule_without_channels_matches_nothing()
    {
        var policy = Policy(new AccessRule { Platform = "slack", Allow = ["view"] });

        Assert.False(policy.IsAllowed(Platform.Slack, "C1", Alice, "prod", VerbClass.View));
    }

    private static VerbClass Class(string name) => name switch
    {
        "view" => VerbClass.View,
        "cancel" => VerbClass.Cancel,
        _ => VerbClass.Terminate,
    };
}
