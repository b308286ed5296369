using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// <c>Discord</c>: a known <c>Mode</c>. In <c>http</c> mode, once any Discord setting is present, a well-formed public key
/// to verify interactions with (never fail open); in <c>gateway</c> mode the bot token and application id it connects
/// with (no public key: nothing comes in over HTTP). A bot token for the audit channel, and a usable API base URL.
/// </summary>
public sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    private const string P = PgChatOpsOptions.Section;

    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        var failures = new List<string>();
        var mode = options.Mode?.Trim() ?? "";
        if (mode.Length > 0 && !mode.Equals(DiscordOptions.HttpMode, StringComparison.OrdinalIgnoreCase) && !mode.Equals(DiscordOptions.GatewayMode, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{P}:Discord:Mode is '{options.Mode}': use {DiscordOptions.HttpMode} (the interactions endpoint) or {DiscordOptions.GatewayMode} (the Gateway WebSocket, outbound only)");
        }
        if (options.IsGateway)
        {
            if (!Set(options.BotToken))
            {
                failures.Add($"{P}:Discord:BotToken is empty, but {P}:Discord:Mode is gateway: the bot could not connect to the Gateway");
            }
            if (!Set(options.ApplicationId))
            {
                failures.Add($"{P}:Discord:ApplicationId is empty, but {P}:Discord:Mode is gateway: follow-ups and edits could not be addressed");
            }
        }
        else if ((Set(options.ApplicationId) || Set(options.BotToken) || Set(options.AuditChannel)) && !Set(options.PublicKey))
        {
            failures.Add($"{P}:Discord:PublicKey is empty, but Discord is enabled (an application id, bot token or audit channel is set): interactions could not be verified");
        }
        if (!options.IsGateway && Set(options.PublicKey) && (options.PublicKey!.Trim().Length != 64 || !options.PublicKey.Trim().All(char.IsAsciiHexDigit)))
        {
            failures.Add($"{P}:Discord:PublicKey must be 64 hexadecimal characters (the application's public key from the developer portal)");
        }
        if (!options.IsGateway && Set(options.AuditChannel) && !Set(options.BotToken))
        {
            failures.Add($"{P}:Discord:BotToken is empty, but {P}:Discord:AuditChannel is set: the bot could not post there");
        }
        SettingsValidator.CheckBaseUrl($"{P}:Discord:ApiBaseUrl", options.ApiBaseUrl, failures);
        return SettingsValidator.Result(failures);
    }

    private static bool Set(string? value) => !string.IsNullOrWhiteSpace(value);
}
