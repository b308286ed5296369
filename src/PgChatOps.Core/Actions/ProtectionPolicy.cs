using Microsoft.Extensions.Options;
using PgChatOps.Activity;
using PgChatOps.Hosting;

namespace PgChatOps.Actions;

/// <summary>Which sessions are never acted on, and why. The executor checks the same rules again in SQL.</summary>
public sealed class ProtectionPolicy(IOptions<PgChatOpsOptions> options)
{
    private readonly ProtectionOptions _protection = options.Value.Protection;

    public bool AllowSuperusers => _protection.AllowSuperusers;
    public IReadOnlyList<string> Roles => _protection.Roles;
    public IReadOnlyList<string> Applications => _protection.Applications;

    /// <summary>Null when the session may be acted on; otherwise the reason shown in the preview.</summary>
    public string? ReasonFor(SessionInfo s)
    {
        if (!s.IdentityVisible)
        {
            return "its start time is hidden from the bot's role (grant pg_read_all_stats), so it cannot be identified safely";
        }
        if (s.IsOwnBackend)
        {
            return "the bot's own connection";
        }
        if (s.BackendType != "client backend")
        {
            return $"not a client connection ({s.BackendType})";
        }
        if (s.IsSuperuser && !_protection.AllowSuperusers)
        {
            return $"superuser session ({s.User}); Protection:AllowSuperusers is off";
        }
        if (s.User is not null && _protection.Roles.Contains(s.User, StringComparer.Ordinal))
        {
            return $"protected role {s.User}";
        }
        if (s.Application is { Length: > 0 } app && _protection.Applications.Contains(app, StringComparer.Ordinal))
        {
            return $"protected application {app}";
        }
        return null;
    }
}
