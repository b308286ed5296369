using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Operations;

public sealed class SettingsValidatorTests
{
    private const string Good = "Host=db.internal;Username=pgchatops;Password=s3cret;Database=postgres";

    private static Dictionary<string, string?> Valid() => new()
    {
        ["PgChatOps:Targets:prod:ConnectionString"] = Good,
        ["PgChatOps:DefaultTarget"] = "prod",
        ["PgChatOps:Access:Rules:0:Platform"] = "slack",
        ["PgChatOps:Access:Rules:0:Channels:0"] = "C0123",
        ["PgChatOps:Access:Rules:0:Allow:0"] = "view",
    };

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        try
        {
            return SettingsValidator.Check(SettingsBinding.Bind(config), config);
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
    }

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var s = Valid();
        foreach (var (k, v) in changes)
        {
            s[k] = v;
        }
        return s;
    }

    [Fact]
    public void Valid_settings_have_no_failures() => Assert.Empty(Failures(Valid()));

    [Fact]
    public void Item4_an_empty_workspace_in_a_rule_is_a_settings_failure_naming_the_key()
    {
        var failures = Failures(With(("PgChatOps:Access:Rules:0:Workspaces:0", "T0123"), ("PgChatOps:Access:Rules:0:Workspaces:1", " ")));

        Assert.Equal(["PgChatOps:Access:Rules:0:Workspaces has an empty entry; use Slack team ids (T…), Discord guild ids, or *"], failures);
        Assert.Empty(Failures(With(("PgChatOps:Access:Rules:0:Workspaces:0", "T0123"), ("PgChatOps:Access:Rules:0:Workspaces:1", "*"))));
    }

    [Fact]
    public void The_shipped_appsettings_with_one_target_are_valid()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var config = new ConfigurationBuilder()
            .AddJsonFile(root)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["PgChatOps:Targets:prod:ConnectionString"] = Good })
            .Build();
        Assert.Empty(SettingsValidator.Check(SettingsBinding.Bind(config), config));
    }

    [Theory]
    [InlineData("PgChatOps:Targets:prod:ConnectionString", "", "PgChatOps:Targets:prod:ConnectionString is empty")]
    [InlineData("PgChatOps:Targets:prod:ConnectionString", "Host=db;Bogus Keyword=1", "PgChatOps:Targets:prod:ConnectionString is not a valid Npgsql connection string")]
    [InlineData("PgChatOps:DefaultTarget", "prd", "PgChatOps:DefaultTarget 'prd' is not a configured target (configured: prod)")]
    [InlineData("PgChatOps:Access:Rules:0:Allow:1", "kill", "PgChatOps:Access:Rules:0:Allow has 'kill'; use view, cancel or terminate")]
    [InlineData("PgChatOps:Access:Rules:0:Targets:0", "prd", "PgChatOps:Access:Rules:0:Targets names unknown target 'prd' (configured: prod)")]
    [InlineData("PgChatOps:Access:Rules:0:Platform", "teams", "PgChatOps:Access:Rules:0:Platform is 'teams'; use slack, discord, console or *")]
    [InlineData("PgChatOps:Confirmation:TimeToLive", "00:00:05", "PgChatOps:Confirmation:TimeToLive must be between 10 seconds and 1 hour")]
    [InlineData("PgChatOps:Confirmation:TimeToLive", "02:00:00", "PgChatOps:Confirmation:TimeToLive must be between 10 seconds and 1 hour")]
    [InlineData("PgChatOps:Confirmation:TimeToLive", "5 minutes", "PgChatOps:Confirmation:TimeToLive is not a duration: write hh:mm:ss, e.g. 00:05:00")]
    [InlineData("PgChatOps:Confirmation:MaxSessions", "lots", "PgChatOps:Confirmation:MaxSessions is not a whole number")]
    [InlineData("PgChatOps:Protection:AllowSuperusers", "maybe", "PgChatOps:Protection:AllowSuperusers is not true or false")]
    [InlineData("PgChatOps:Slack:BotToken", "xoxb-1", "PgChatOps:Slack:SigningSecret is empty, but Slack is enabled")]
    [InlineData("PgChatOps:Slack:SigningSecret", "abc", "PgChatOps:Slack:BotToken is empty, but Slack is enabled")]
    [InlineData("PgChatOps:Slack:ApiBaseUrl", "slack.com/api", "PgChatOps:Slack:ApiBaseUrl must be an absolute http(s) URL")]
    [InlineData("PgChatOps:Discord:ApplicationId", "123", "PgChatOps:Discord:PublicKey is empty, but Discord is enabled")]
    [InlineData("PgChatOps:Discord:PublicKey", "not-hex", "PgChatOps:Discord:PublicKey must be 64 hexadecimal characters")]
    [InlineData("PgChatOps:Discord:AuditChannel", "42", "PgChatOps:Discord:BotToken is empty, but PgChatOps:Discord:AuditChannel is set")]
    public void A_broken_setting_is_one_line_naming_its_key(string key, string value, string expected)
    {
        var failures = Failures(With((key, value)));

        var line = Assert.Single(failures, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Gateway_mode_needs_the_bot_token_and_application_id_and_no_public_key()
    {
        Assert.Equal(
        [
            "PgChatOps:Discord:BotToken is empty, but PgChatOps:Discord:Mode is gateway: the bot could not connect to the Gateway",
            "PgChatOps:Discord:ApplicationId is empty, but PgChatOps:Discord:Mode is gateway: follow-ups and edits could not be addressed",
        ], Failures(With(("PgChatOps:Discord:Mode", "gateway"))));
        Assert.Empty(Failures(With(
            ("PgChatOps:Discord:Mode", "gateway"),
            ("PgChatOps:Discord:BotToken", "token"),
            ("PgChatOps:Discord:ApplicationId", "123"),
            ("PgChatOps:Discord:AuditChannel", "42"))));
        Assert.Empty(Failures(With(("PgChatOps:Discord:Mode", "http"))));
    }

    [Fact]
    public void An_unknown_discord_mode_names_the_allowed_values()
    {
        Assert.Equal(
            ["PgChatOps:Discord:Mode is 'websocket': use http (the interactions endpoint) or gateway (the Gateway WebSocket, outbound only)"],
            Failures(With(("PgChatOps:Discord:Mode", "websocket"))));
    }

    [Fact]
    public void A_rule_is_named_by_the_index_the_operator_wrote()
    {
        var settings = Valid();
        settings["PgChatOps:Access:Rules:2:Channels:0"] = "*";
        settings["PgChatOps:Access:Rules:2:Targets:0"] = "prd";
        settings["PgChatOps:Access:Rules:2:Allow:0"] = "view";

        Assert.Equal(["PgChatOps:Access:Rules:2:Targets names unknown target 'prd' (configured: prod)"], Failures(settings));
    }

    [Fact]
    public void No_target_at_all_is_a_failure()
    {
        var failures = Failures(new Dictionary<string, string?>());

        Assert.Contains(failures, f => f.StartsWith("PgChatOps:Targets has no target", StringComparison.Ordinal));
    }

    [Fact]
    public void A_connection_string_failure_never_echoes_the_password()
    {
        var failures = Failures(With(("PgChatOps:Targets:prod:ConnectionString", "Host=db;Password=hunter2;Nonsense=1")));

        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.DoesNotContain("hunter2", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Complete_slack_and_discord_settings_are_valid()
    {
        var failures = Failures(With(
            ("PgChatOps:Slack:SigningSecret", "8f742231b10e8888abcd99yyyzzz85a5"),
            ("PgChatOps:Slack:BotToken", "xoxb-1-2-3"),
            ("PgChatOps:Slack:AuditChannel", "C999"),
            ("PgChatOps:Discord:ApplicationId", "123456789"),
            ("PgChatOps:Discord:PublicKey", new string('a', 64)),
            ("PgChatOps:Discord:BotToken", "MTIz.abc.def"),
            ("PgChatOps:Discord:AuditChannel", "987")));

        Assert.Empty(failures);
    }
}
