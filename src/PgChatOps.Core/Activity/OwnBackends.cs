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
    internal static BackendPids NewSet(string server)
    {
        var set = new BackendPids(server);
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

    /// <summary>
    /// The pids this process holds or held recently on one server (every pool and lifeline connected to that host and
    /// port: a target and a state store may share it). Never another server's: a stranger there could land on one.
    /// </summary>
    public static int[] PidsOn(string server)
    {
        lock (Sets)
        {
            return Sets.Where(s => s.Server == server).SelectMany(s => s.Current).Distinct().ToArray();
        }
    }

    /// <summary>The key of the server a connection string points at: its host(s) and port, as written.</summary>
    internal static string ServerOf(string connectionString)
    {
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"{csb.Host?.Trim().ToLowerInvariant()}:{csb.Port}";
    }
}
