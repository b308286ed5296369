using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Hosting;

namespace PgChatOps.Actions;

/// <summary>
/// Deny by default: a verb class is allowed only when a rule names the platform, channel, user (or one of
/// the user's groups) and target. Empty Users and Groups mean anyone in those channels; empty Targets mean
/// every target; <c>*</c> is a wildcard.
/// </summary>
public sealed class AccessPolicy(IOptions<PgChatOpsOptions> options)
{
    private readonly AccessOptions _access = options.Value.Access;

    public bool RequireDistinctApprover => _access.RequireDistinctApprover;

    public bool IsAllowed(Platform platform, string channel, ChatUser user, string target, VerbClass verbClass)
    {
        if (verbClass == VerbClass.None)
        {
            return true;
        }
        var permission = CommandGrammar.ClassName(verbClass);
        return _access.Rules.Any(rule =>
            Matches(rule.Platform is { Length: > 0 } p ? [p] : [], platform.Name())
            && Matches(rule.Channels, channel)
            && (rule.Users.Count == 0 && rule.Groups.Count == 0
                || Matches(rule.Users, user.Id)
                || user.Groups.Any(g => Matches(rule.Groups, g)))
            && (rule.Targets.Count == 0 || Matches(rule.Targets, target))
            && rule.Allow.Any(a => string.Equals(a.Trim(), permission, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The group ids the rules name for a platform, so an adapter looks up only those.</summary>
    public IReadOnlySet<string> GroupsNamed(Platform platform) =>
        _access.Rules
            .Where(r => Matches(r.Platform is { Length: > 0 } p ? [p] : [], platform.Name()))
            .SelectMany(r => r.Groups)
            .Where(g => g != "*")
            .ToHashSet(StringComparer.Ordinal);

    private static bool Matches(IReadOnlyList<string> patterns, string value) =>
        patterns.Any(p => p == "*" || string.Equals(p.Trim(), value, StringComparison.OrdinalIgnoreCase));
}
