using System.Collections.Concurrent;
using System.Diagnostics;

namespace PgChatOps.Activity;

/// <summary>
/// The pids of the physical connections to one server, recorded when each opens. Npgsql has no hook for a
/// physical close, so the lifeline's periodic check prunes pids that are no longer alive under the bot's name.
/// </summary>
internal sealed class BackendPids(string server)
{
    private readonly ConcurrentDictionary<int, long> _recordedAt = new();

    /// <summary>The server these pids live on (host and port): pids mean nothing on another server.</summary>
    public string Server { get; } = server;

    public IEnumerable<int> Current => _recordedAt.Keys;

    public void Add(int pid) => _recordedAt[pid] = Stopwatch.GetTimestamp();

    /// <summary>Forgets pids recorded before <paramref name="asOf"/> that the server no longer lists under the bot's name.</summary>
    public void Prune(IReadOnlyCollection<int> alive, long asOf)
    {
        foreach (var (pid, at) in _recordedAt)
        {
            if (at < asOf && !alive.Contains(pid))
            {
                _recordedAt.TryRemove(new KeyValuePair<int, long>(pid, at));
            }
        }
    }
}
