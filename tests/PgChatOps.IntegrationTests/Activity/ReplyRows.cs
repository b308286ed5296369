using System.Globalization;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Activity;

/// <summary>Reads pids back out of a reply's table, as a user would read them.</summary>
internal static class ReplyRows
{
    public static List<int> Pids(Reply reply) =>
        reply.Table is null ? [] : reply.Table.Rows.Select(r => Pid(r[0])).ToList();

    public static int Pid(string cell) => int.Parse(cell.Replace("└", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Blocking rows are indented two spaces a level.</summary>
    public static int Depth(string cell) => (cell.Length - cell.TrimStart().Length) / 2;
}
