namespace PgChatOps.Activity;

/// <summary>Orders lock waits as a forest: root blockers (not waiting themselves) first, each waiter under its blocker.</summary>
public static class BlockingForest
{
    public sealed record Node(BlockingEntry Entry, int Depth, int Waiters, int? ParentPid);

    public static IReadOnlyList<Node> Build(IReadOnlyList<BlockingEntry> entries)
    {
        var byPid = entries.GroupBy(e => e.Session.Pid).ToDictionary(g => g.Key, g => g.First());
        var children = new Dictionary<int, List<int>>();
        foreach (var e in byPid.Values)
        {
            // A waiter blocked by several sessions is drawn under the first one; the rest are named in its row.
            var blocker = e.Session.BlockedBy.FirstOrDefault(byPid.ContainsKey);
            if (blocker != 0)
            {
                (children.TryGetValue(blocker, out var list) ? list : children[blocker] = []).Add(e.Session.Pid);
            }
        }

        var roots = byPid.Values.Where(e => !e.Session.BlockedBy.Any(byPid.ContainsKey)).Select(e => e.Session.Pid).ToList();
        // A deadlock cycle has no root until PostgreSQL breaks it; show its members rather than nothing.
        var reachable = new HashSet<int>();
        void Mark(int pid)
        {
            if (reachable.Add(pid) && children.TryGetValue(pid, out var kids))
            {
                kids.ForEach(Mark);
            }
        }
        roots.ForEach(Mark);
        roots.AddRange(byPid.Keys.Where(p => !reachable.Contains(p)).Order());

        int Count(int pid, HashSet<int> seen) =>
            children.TryGetValue(pid, out var kids) ? kids.Where(seen.Add).Sum(k => 1 + Count(k, seen)) : 0;

        var result = new List<Node>();
        var placed = new HashSet<int>();
        void Walk(int pid, int depth, int? parent)
        {
            if (!placed.Add(pid))
            {
                return;
            }
            result.Add(new Node(byPid[pid], depth, Count(pid, [pid]), parent));
            if (children.TryGetValue(pid, out var kids))
            {
                foreach (var kid in kids.OrderBy(k => byPid[k].WaitStart ?? DateTime.MaxValue))
                {
                    Walk(kid, depth + 1, pid);
                }
            }
        }

        foreach (var root in roots
                     .OrderByDescending(p => Count(p, [p]))
                     .ThenBy(p => byPid[p].Session.XactStart ?? DateTime.MaxValue))
        {
            Walk(root, 0, null);
        }
        return result;
    }
}
