using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PgChatOps.Actions;
using PgChatOps.Commands;

namespace PgChatOps.Slack;

/// <summary>
/// A user's Slack user groups, as far as access rules care: only the groups named by rules that apply where the
/// user is are looked up (usergroups.users.list, Tier 2), and each group's members are cached for
/// <see cref="TimeToLive"/>. A failed lookup counts as "not a member" (access then falls back to deny), never
/// replaces a good cached answer, and holds off further lookups of that group for <see cref="FailureBackoff"/>.
/// </summary>
public sealed class SlackUserGroups(SlackApiClient api, AccessPolicy access, TimeProvider time, ILogger<SlackUserGroups> log)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(30);

    private static readonly IReadOnlySet<string> None = new HashSet<string>(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, IReadOnlySet<string> Members)> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _failedUntil = new(StringComparer.Ordinal);

    /// <summary>The groups, named by the rules for <paramref name="place"/>, that the user belongs to (cached answers).</summary>
    public async Task<IReadOnlyList<string>> GroupsOfAsync(string userId, ChatPlace place, CancellationToken ct)
    {
        var named = access.GroupsNamed(place);
        if (named.Count == 0)
        {
            return [];
        }
        var results = await Task.WhenAll(named.Select(async group => (group, answer: await MembersAsync(group, fresh: false, ct))));
        return results.Where(r => r.answer.Members.Contains(userId)).Select(r => r.group).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The groups of someone clicking a confirmation, checked at the moment of the click so someone just removed
    /// from an approver group cannot still confirm. Only a clicker whose cached answer says member is looked up
    /// afresh: an outsider's clicks cost no lookup, so they can neither spend the API rate limit nor, through a
    /// failed lookup, lock members out. (Someone added to a group counts from the next refresh, within
    /// <see cref="TimeToLive"/>.)
    /// </summary>
    public async Task<IReadOnlyList<string>> ApproverGroupsOfAsync(string userId, ChatPlace place, CancellationToken ct)
    {
        var named = access.GroupsNamed(place);
        if (named.Count == 0)
        {
            return [];
        }
        var results = await Task.WhenAll(named.Select(async group =>
        {
            var cached = await MembersAsync(group, fresh: false, ct);
            if (!cached.Members.Contains(userId))
            {
                return (group, member: false);
            }
            var current = cached.FetchedNow ? cached : await MembersAsync(group, fresh: true, ct);
            return (group, member: current.FetchedNow && current.Members.Contains(userId));
        }));
        return results.Where(r => r.member).Select(r => r.group).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A group's members, and whether they were read from Slack just now (rather than from the cache).</summary>
    private async Task<(IReadOnlySet<string> Members, bool FetchedNow)> MembersAsync(string group, bool fresh, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!fresh && _answers.TryGetValue(group, out var cached) && cached.Until > now)
        {
            return (cached.Members, false);
        }
        if (_failedUntil.TryGetValue(group, out var until) && until > now)
        {
            return (None, false);
        }
        try
        {
            var members = (await api.UserGroupMembersAsync(group, ct)).ToHashSet(StringComparer.Ordinal);
            _answers[group] = (time.GetUtcNow() + TimeToLive, members);
            _failedUntil.TryRemove(group, out _);
            return (members, true);
        }
        catch (SlackApiException ex)
        {
            SlackLog.UserGroupFailed(log, group, ex.Error);
            _failedUntil[group] = time.GetUtcNow() + FailureBackoff;
            return (None, false);
        }
    }
}
