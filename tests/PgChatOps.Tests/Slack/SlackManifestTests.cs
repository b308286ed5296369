using YamlDotNet.RepresentationModel;

namespace PgChatOps.Tests.Slack;

public sealed class SlackManifestTests
{
    private static YamlMappingNode Manifest()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgChatOps.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(dir.FullName, "manifests", "slack", "app-manifest.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => ((YamlMappingNode)n)[new YamlScalarNode(key)]);

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value!;

    [Fact]
    public void The_manifest_points_every_Slack_feature_at_our_endpoints()
    {
        var m = Manifest();
        var command = (YamlMappingNode)((YamlSequenceNode)At(m, "features", "slash_commands")).Single();
        Assert.Equal("/pg", Text(At(command, "command")));
        Assert.EndsWith("/slack/commands", Text(At(command, "url")), StringComparison.Ordinal);
        Assert.Equal("true", Text(At(m, "settings", "interactivity", "is_enabled")));
        Assert.EndsWith("/slack/interactions", Text(At(m, "settings", "interactivity", "request_url")), StringComparison.Ordinal);
        Assert.EndsWith("/slack/events", Text(At(m, "settings", "event_subscriptions", "request_url")), StringComparison.Ordinal);
        Assert.Equal(["app_mention"], ((YamlSequenceNode)At(m, "settings", "event_subscriptions", "bot_events")).Select(Text));
        Assert.All([Text(At(command, "url")), Text(At(m, "settings", "interactivity", "request_url"))], url => Assert.StartsWith("https://", url, StringComparison.Ordinal));
    }

    [Fact]
    public void The_manifest_asks_for_exactly_the_scopes_the_bot_uses()
    {
        var scopes = ((YamlSequenceNode)At(Manifest(), "oauth_config", "scopes", "bot")).Select(Text).Order(StringComparer.Ordinal);
        Assert.Equal(["app_mentions:read", "chat:write", "chat:write.public", "commands", "usergroups:read"], scopes);
    }
}
