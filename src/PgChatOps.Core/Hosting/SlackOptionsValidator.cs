using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// <c>Slack</c>: once any Slack setting is present, the credentials that make it work (never fail open on an
/// empty signing secret), and a usable API base URL.
/// </summary>
public sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    private const string P = PgChatOpsOptions.Section;

    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var failures = new List<string>();
        var enabled = Set(options.BotToken) || Set(options.SigningSecret) || Set(options.AuditChannel) || Set(options.AppToken);
        if (enabled)
        {
            if (!Set(options.SigningSecret))
            {
                failures.Add($"{P}:Slack:SigningSecret is empty, but Slack is enabled (a Slack bot token, app token or audit channel is set): requests could not be verified");
            }
            if (!Set(options.BotToken))
            {
                failures.Add($"{P}:Slack:BotToken is empty, but Slack is enabled (a Slack signing secret, app token or audit channel is set)");
            }
        }
        SettingsValidator.CheckBaseUrl($"{P}:Slack:ApiBaseUrl", options.ApiBaseUrl, failures);
        return SettingsValidator.Result(failures);
    }

    private static bool Set(string? value) => !string.IsNullOrWhiteSpace(value);
}
