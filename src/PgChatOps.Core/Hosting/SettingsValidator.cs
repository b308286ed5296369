using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// Checks the settings at start-up: each feature's own validator over its part of the section, in a fixed order
/// (targets, access, confirmation, monitoring, Slack, Discord). Each failure is one line that names the key exactly
/// as an operator sets it (<c>PgChatOps:Targets:prod:ConnectionString is empty</c>), so a broken deployment stops
/// with a clear reason. <c>serve</c>, <c>console</c> and <c>check</c> all come through here, once per start.
/// </summary>
public sealed class SettingsValidator(IConfiguration? configuration = null) : IValidateOptions<PgChatOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, PgChatOpsOptions options) => Result(Check(options, configuration));

    public static IReadOnlyList<string> Check(PgChatOpsOptions o, IConfiguration? configuration = null)
    {
        var failures = new List<string>();
        Collect(new TargetsValidator().Validate(null, o), failures);
        Collect(new AccessOptionsValidator([.. o.Targets.Keys], configuration).Validate(null, o.Access), failures);
        Collect(new ConfirmationOptionsValidator().Validate(null, o.Confirmation), failures);
        Collect(new MonitoringOptionsValidator().Validate(null, o.Monitoring), failures);
        Collect(new SlackOptionsValidator().Validate(null, o.Slack), failures);
        Collect(new DiscordOptionsValidator().Validate(null, o.Discord), failures);
        return failures;
    }

    internal static ValidateOptionsResult Result(IReadOnlyList<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    internal static void CheckBaseUrl(string key, string? value, List<string> failures)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{key} must be an absolute http(s) URL");
        }
    }

    private static void Collect(ValidateOptionsResult result, List<string> failures)
    {
        if (result.Failed)
        {
            failures.AddRange(result.Failures ?? []);
        }
    }
}
