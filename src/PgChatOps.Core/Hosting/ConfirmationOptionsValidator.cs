using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary><c>Confirmation:TimeToLive</c> and <c>Confirmation:MaxSessions</c> within sane bounds.</summary>
public sealed class ConfirmationOptionsValidator : IValidateOptions<ConfirmationOptions>
{
    private const string P = PgChatOpsOptions.Section;

    public ValidateOptionsResult Validate(string? name, ConfirmationOptions options)
    {
        var failures = new List<string>();
        if (options.TimeToLive < TimeSpan.FromSeconds(10) || options.TimeToLive > TimeSpan.FromHours(1))
        {
            failures.Add($"{P}:Confirmation:TimeToLive must be between 10 seconds and 1 hour (e.g. 00:05:00)");
        }
        if (options.MaxSessions is < 1 or > 10_000)
        {
            failures.Add($"{P}:Confirmation:MaxSessions must be between 1 and 10000");
        }
        return SettingsValidator.Result(failures);
    }
}
