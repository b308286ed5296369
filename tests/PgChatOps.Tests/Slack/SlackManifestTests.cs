using YamlDotNet.RepresentationModel;

namespace PgChatOps.Tests.Slack;

public sealed class SlackManifestTests
{
    private static string ManifestPath(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgChatOps.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "manifests", "slack", file);
    }

    private static YamlMappingNode Manifest(string file = "app-manifest.yaml")
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(ManifestPath(file));
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
        Assert.Equal(["app_mentions:read", "chat:write", "chat:write.public", "commands", "files:write", "usergroups:read"], scopes);
    }

    [Fact]
    public void The_socket_mode_manifest_has_no_request_url_and_the_same_command_events_and_scopes()
    {
        var socket = Manifest("app-manifest.socket-mode.yaml");
        var http = Manifest();
        var command = (YamlMappingNode)((YamlSequenceNode)At(socket, "features", "slash_commands")).Single();

        Assert.Equal("true", Text(At(socket, "settings", "socket_mode_enabled")));
        Assert.Equal("false", Text(At(http, "settings", "socket_mode_enabled")));
        Assert.Equal("/pg", Text(At(command, "command")));
        Assert.False(command.Children.ContainsKey(new YamlScalarNode("url")));
        Assert.Equal("true", Text(At(socket, "settings", "interactivity", "is_enabled")));
        Assert.False(((YamlMappingNode)At(socket, "settings", "interactivity")).Children.ContainsKey(new YamlScalarNode("request_url")));
        Assert.False(((YamlMappingNode)At(socket, "settings", "event_subscriptions")).Children.ContainsKey(new YamlScalarNode("request_url")));
        Assert.DoesNotContain(File.ReadAllLines(ManifestPath("app-manifest.socket-mode.yaml")), l => !l.TrimStart().StartsWith('#') && l.Contains("https://", StringComparison.Ordinal));
        Assert.Equal(
            ((YamlSequenceNode)At(http, "settings", "event_subscriptions", "bot_events")).Select(Text),
            ((YamlSequenceNode)At(socket, "settings", "event_subscriptions", "bot_events")).Select(Text));
        Assert.Equal(
            ((YamlSequenceNode)At(http, "oauth_config", "scopes", "bot")).Select(Text).Order(StringComparer.Ordinal),
            ((YamlSequenceNode)At(socket, "oauth_config", "scopes", "bot")).Select(Text).Order(StringComparer.Ordinal));
    }
}
