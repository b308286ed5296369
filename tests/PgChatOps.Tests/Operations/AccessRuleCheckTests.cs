using Microsoft.Extensions.Configuration;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Operations;

public sealed class AccessRuleCheckTests
{
    private static async Task<string[]> CheckAsync(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var output = new StringWriter();
        using var http = new HttpClient();
        await new DeploymentCheck(SettingsBinding.Bind(config), output, http).RunAsync(config, CancellationToken.None);
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Fact]
    public async Task Item4_check_warns_about_each_rule_that_grants_cancel_or_terminate_in_any_workspace()
    {
        var lines = await CheckAsync(new()
        {
            ["PgChatOps:Access:Rules:0:Platform"] = "slack",
            ["PgChatOps:Access:Rules:0:Channels:0"] = "*",
            ["PgChatOps:Access:Rules:0:Allow:0"] = "view",
            ["PgChatOps:Access:Rules:0:Allow:1"] = "terminate",
            ["PgChatOps:Access:Rules:1:Platform"] = "discord",
            ["PgChatOps:Access:Rules:1:Workspaces:0"] = "1200000000000000002",
            ["PgChatOps:Access:Rules:1:Channels:0"] = "*",
            ["PgChatOps:Access:Rules:1:Allow:0"] = "terminate",
            ["PgChatOps:Access:Rules:2:Platform"] = "*",
            ["PgChatOps:Access:Rules:2:Channels:0"] = "*",
            ["PgChatOps:Access:Rules:2:Allow:0"] = "view",
            ["PgChatOps:Access:Rules:3:Platform"] = "console",
            ["PgChatOps:Access:Rules:3:Channels:0"] = "*",
            ["PgChatOps:Access:Rules:3:Allow:0"] = "terminate",
            ["PgChatOps:Access:Rules:4:Channels:0"] = "C1",
            ["PgChatOps:Access:Rules:4:Allow:0"] = "Cancel",
        });

        var warnings = lines.Where(l => l.StartsWith("warn access:", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "warn access: PgChatOps:Access:Rules:0 grants terminate in any Slack workspace or Discord guild that can reach the bot; name yours in PgChatOps:Access:Rules:0:Workspaces (Slack team ids, Discord guild ids)",
            "warn access: PgChatOps:Access:Rules:4 grants cancel in any Slack workspace or Discord guild that can reach the bot; name yours in PgChatOps:Access:Rules:4:Workspaces (Slack team ids, Discord guild ids)",
        ], warnings);
    }
}
