using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Hosting;

namespace PgChatOps.Actions;

/// <summary>
/// Deny by default: a verb class is allowed only when a rule names the platform, workspace, channel, user (or
/// one of the user's groups) and target. Empty Workspaces mean any workspace; empty Users and Groups mean anyone
/// in those channels; empty Targets mean every target; <c>*</c> is a wildcard. A direct message is not a
/// channel: it matches only a rule whose Channels name <c>dm</c>, and <c>*</c> never matches it.
/// </summary>
public sealed class AccessPolicy(IOptions<PgChatOpsOptions> options)
{
    /// <summary>The word in a rule's Channels that admits direct messages.</summary>
    public const string DirectMessages = "dm";

    private readonly AccessOptions _access = options.Value.Access;

    public bool RequireDistinctApprover => _access.RequireDistinctApprover;

    public bool IsAllowed(ChatPlace place, ChatUser user, string target, VerbClass verbClass)
    {
        if (verbClass == VerbClass.None)
        {
            return true;
        }
        var permission = CommandGrammar.ClassName(verbClass);
        return RulesFor(place).Any(rule =>
            (rule.Users.Count == 0 && rule.Groups.Count == 0
                || Matches(rule.Users, user.Id)
                || user.Groups.Any(g => Matches(rule.Groups, g)))
            && (rule.Targets.Count == 0 || Matches(rule.Targets, target))
            && rule.Allow.Any(a => string.Equals(a.Trim(), permission, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// The group ids named by the rules that apply in <paramref name="place"/>, so an adapter looks up only those:
    /// a request from a workspace or channel no rule covers costs no lookup.
    /// </summary>
    public IReadOnlySet<string> GroupsNamed(ChatPlace place) =>
        RulesFor(place)
            .SelectMany(r => r.Groups)
            .Where(g => g != "*")
            .ToHashSet(StringComparer.Ordinal);

    private IEnumerable<AccessRule> RulesFor(ChatPlace place) =>
        _access.Rules.Where(rule =>
            Matches(rule.Platform is { Length: > 0 } p ? [p] : [], place.Platform.Name())
            && (rule.Workspaces.Count == 0 || Matches(rule.Workspaces, place.Workspace))
            && (place.IsDirectMessage
                ? rule.Channels.Any(IsDirectMessages)
                : Matches([.. rule.Channels.Where(c => !IsDirectMessages(c))], place.Channel)));

    /// <summary>Whether a rule's Channels entry is the word that admits direct messages.</summary>
    public static bool IsDirectMessages(string channel) =>
        string.Equals(channel.Trim(), DirectMessages, StringComparison.OrdinalIgnoreCase);

    private static bool Matches(IReadOnlyList<string> patterns, string value) =>
        patterns.Any(p => p == "*" || string.Equals(p.Trim(), value, StringComparison.OrdinalIgnoreCase));
}
