using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PgChatOps.Actions;
using PgChatOps.Commands;

namespace PgChatOps.Slack;

/// <summary>
/// A user's Slack user groups, as far as access rules care: only the groups named by rules that apply where the
/// user is are looked up
/// (usergroups.users.list, Tier 2), and each group's members are cached for <see cref="TimeToLive"/>.
/// A failed lookup counts as "not a member": access then falls back to deny.
/// </summary>
public sealed class SlackUserGroups(SlackApiClient api, AccessPolicy access, TimeProvider time, ILogger<SlackUserGroups> log)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan FailureTimeToLive = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, IReadOnlySet<string> Members)> _cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The named groups the user belongs to. <paramref name="fresh"/> skips the cache: an approver is checked at
    /// the moment of the click, so someone just removed from an approver group cannot still confirm.
    /// </summary>
    public async Task<IReadOnlyList<string>> GroupsOfAsync(string userId, ChatPlace place, CancellationToken ct, bool fresh = false)
    {
        var named = access.GroupsNamed(place);
        if (named.Count == 0)
        {
            return [];
        }
        var checks = named.Select(async group => (group, members: await MembersAsync(group, fresh, ct)));
        var results = await Task.WhenAll(checks);
        return results.Where(r => r.members.Contains(userId)).Select(r => r.group).Order(StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlySet<string>> MembersAsync(string group, bool fresh, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!fresh && _cache.TryGetValue(group, out var cached) && cached.Until > now)
        {
            return cached.Members;
        }
        try
        {
            var members = (await api.UserGroupMembersAsync(group, ct)).ToHashSet(StringComparer.Ordinal);
            _cache[group] = (now + TimeToLive, members);
            return members;
        }
        catch (SlackApiException ex)
        {
            log.LogWarning("Could not read the members of Slack user group {Group}: {Error}", group, ex.Error);
            var none = new HashSet<string>(StringComparer.Ordinal);
            _cache[group] = (now + FailureTimeToLive, none);
            return none;
        }
    }
}
