using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Watch;

/// <summary>Stops start-up on a watch mistake, one line per mistake (see <see cref="WatchRules"/>).</summary>
public sealed class WatchOptionsValidator(IOptions<PgChatOpsOptions> settings, IConfiguration? configuration = null) : IValidateOptions<WatchOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchOptions options)
    {
        var targets = settings.Value.Targets.Where(t => !string.IsNullOrWhiteSpace(t.Value.ConnectionString)).Select(t => t.Key).ToList();
        var (_, problems) = WatchRules.Parse(options, targets, configuration);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
