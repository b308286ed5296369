using System.Security.Cryptography;

namespace PgChatOps.Activity;

/// <summary>
/// The bot's own backends, recognised by what this process holds: the pids of its pooled and lifeline
/// connections, all tagged with one unguessable per-process application name. A backend is the bot's own only
/// when both match; anyone can set <c>application_name = pgchatops</c>, and the name is visible to every role.
/// </summary>
public static class OwnBackends
{
    private static readonly List<BackendPids> Sets = [];

    /// <summary><c>pgchatops-</c> and 16 random hex digits, fixed for the life of this process.</summary>
    public static string ApplicationName { get; } = $"pgchatops-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";

    /// <summary>A pid set for one server's connections (a pool and its lifeline), pruned against that server only.</summary>
    internal static BackendPids NewSet()
    {
        var set = new BackendPids();
        lock (Sets)
        {
            Sets.Add(set);
        }
        return set;
    }

    internal static void Forget(BackendPids set)
    {
        lock (Sets)
        {
            Sets.Remove(set);
        }
    }

    /// <summary>Every pid this process holds or held recently, on any server. Pid and name must both match to count.</summary>
    public static int[] Pids
    {
        get
        {
            lock (Sets)
            {
                return Sets.SelectMany(s => s.Current).Distinct().ToArray();
            }
        }
    }
}
