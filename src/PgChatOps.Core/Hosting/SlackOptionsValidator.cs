using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// <c>Slack</c>: a known <c>Mode</c>; then the credentials that mode needs, once any Slack setting is present. Over
/// HTTP a signing secret (never fail open on an empty one) and a bot token; in Socket Mode an app-level token and a
/// bot token, and no signing secret (envelopes arrive on a socket the app token opened). And a usable API base URL.
/// </summary>
public sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    private const string P = PgChatOpsOptions.Section;
    private const string AppTokenPrefix = "xapp-";
    private const string BotTokenPrefix = "xoxb-";

    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var failures = new List<string>();
        if (options.IsSocketMode())
        {
            ValidateSocketMode(options, failures);
        }
        else if (options.IsHttpMode())
        {
            ValidateHttpMode(options, failures);
        }
        else
        {
            failures.Add($"{P}:Slack:Mode is '{options.Mode!.Trim()}': use {SlackOptions.HttpMode} (the signed HTTP endpoints) or {SlackOptions.SocketMode} (Socket Mode)");
        }
        SettingsValidator.CheckBaseUrl($"{P}:Slack:ApiBaseUrl", options.ApiBaseUrl, failures);
        return SettingsValidator.Result(failures);
    }

    private static void ValidateHttpMode(SlackOptions options, List<string> failures)
    {
        var enabled = Set(options.BotToken) || Set(options.SigningSecret) || Set(options.AuditChannel) || Set(options.AppToken);
        if (!enabled)
        {
            return;
        }
        if (!Set(options.SigningSecret))
        {
            failures.Add($"{P}:Slack:SigningSecret is empty, but Slack is enabled (a Slack bot token, app token or audit channel is set): requests could not be verified");
        }
        if (!Set(options.BotToken))
        {
            failures.Add($"{P}:Slack:BotToken is empty, but Slack is enabled (a Slack signing secret, app token or audit channel is set)");
        }
    }

    // The tokens are never echoed: a line names the key and the expected kind, not the value.
    private static void ValidateSocketMode(SlackOptions options, List<string> failures)
    {
        if (!Set(options.AppToken))
        {
            failures.Add($"{P}:Slack:AppToken is empty, but {P}:Slack:Mode is {SlackOptions.SocketMode}: Socket Mode connects with an app-level token ({AppTokenPrefix}…, scope connections:write)");
        }
        else if (!options.AppToken!.Trim().StartsWith(AppTokenPrefix, StringComparison.Ordinal))
        {
            failures.Add($"{P}:Slack:AppToken is not an app-level token: Socket Mode needs one that starts with {AppTokenPrefix} (Basic Information → App-Level Tokens, scope connections:write)");
        }
        if (!Set(options.BotToken))
        {
            failures.Add($"{P}:Slack:BotToken is empty, but {P}:Slack:Mode is {SlackOptions.SocketMode}: previews, replies and audit posts need the bot token ({BotTokenPrefix}…)");
        }
        else if (!options.BotToken!.Trim().StartsWith(BotTokenPrefix, StringComparison.Ordinal))
        {
            failures.Add($"{P}:Slack:BotToken is not a bot token: Socket Mode needs the one that starts with {BotTokenPrefix} (OAuth & Permissions → Bot User OAuth Token)");
        }
    }

    private static bool Set(string? value) => !string.IsNullOrWhiteSpace(value);
}
