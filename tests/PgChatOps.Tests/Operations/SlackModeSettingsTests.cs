using Microsoft.Extensions.Configuration;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Operations;

/// <summary><c>Slack:Mode</c>: which credentials each mode needs, each mistake one line that names its key.</summary>
public sealed class SlackModeSettingsTests
{
    private const string AppToken = "xapp-1-A111-222-abcdef";
    private const string BotToken = "xoxb-111-222-abcdef";

    private static IReadOnlyList<string> Failures(params (string Key, string? Value)[] slack)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PgChatOps:Targets:prod:ConnectionString"] = "Host=db.internal;Username=pgchatops;Database=postgres",
            ["PgChatOps:DefaultTarget"] = "prod",
        };
        foreach (var (k, v) in slack)
        {
            settings["PgChatOps:Slack:" + k] = v;
        }
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return SettingsValidator.Check(SettingsBinding.Bind(config), config);
    }

    [Fact]
    public void Socket_mode_needs_an_app_token_and_a_bot_token_and_no_signing_secret()
    {
        Assert.Empty(Failures(("Mode", "socket"), ("AppToken", AppToken), ("BotToken", BotToken), ("AuditChannel", "C1")));
    }

    [Fact]
    public void The_mode_is_read_without_regard_to_case_or_blanks()
    {
        Assert.Empty(Failures(("Mode", " Socket "), ("AppToken", AppToken), ("BotToken", BotToken)));
        Assert.Empty(Failures(("Mode", "HTTP"), ("SigningSecret", "s"), ("BotToken", BotToken)));
    }

    [Fact]
    public void Http_is_the_default_and_still_needs_the_signing_secret()
    {
        var failures = Failures(("AppToken", AppToken), ("BotToken", BotToken));

        Assert.Equal(["PgChatOps:Slack:SigningSecret is empty, but Slack is enabled (a Slack bot token, app token or audit channel is set): requests could not be verified"], failures);
    }

    [Theory]
    [InlineData(null, BotToken, "PgChatOps:Slack:AppToken is empty, but PgChatOps:Slack:Mode is socket: Socket Mode connects with an app-level token (xapp-…, scope connections:write)")]
    [InlineData("xoxb-wrong-kind", BotToken, "PgChatOps:Slack:AppToken is not an app-level token: Socket Mode needs one that starts with xapp- (Basic Information → App-Level Tokens, scope connections:write)")]
    [InlineData(AppToken, null, "PgChatOps:Slack:BotToken is empty, but PgChatOps:Slack:Mode is socket: previews, replies and audit posts need the bot token (xoxb-…)")]
    [InlineData(AppToken, "xapp-wrong-kind", "PgChatOps:Slack:BotToken is not a bot token: Socket Mode needs the one that starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)")]
    public void A_socket_mode_mistake_is_one_line_naming_the_key_and_never_the_token(string? appToken, string? botToken, string expected)
    {
        var failures = Failures(("Mode", "socket"), ("AppToken", appToken), ("BotToken", botToken));

        Assert.Equal([expected], failures);
        Assert.DoesNotContain("wrong-kind", failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Socket_mode_with_nothing_else_names_both_missing_tokens()
    {
        var failures = Failures(("Mode", "socket"));

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("PgChatOps:Slack:AppToken is empty", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("PgChatOps:Slack:BotToken is empty", failures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_mode_names_the_two_allowed_values()
    {
        var failures = Failures(("Mode", "websocket"), ("AppToken", AppToken), ("BotToken", BotToken));

        Assert.Equal(["PgChatOps:Slack:Mode is 'websocket': use http (the signed HTTP endpoints) or socket (Socket Mode)"], failures);
    }
}
