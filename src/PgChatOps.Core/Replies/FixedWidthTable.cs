using System.Text;

namespace PgChatOps.Replies;

/// <summary>
/// The one layout of a table in monospace text (console, Slack and Discord code blocks): columns two spaces apart,
/// each as wide as its widest cell, the last column unpadded, no trailing spaces. Each renderer prepares the cells
/// for its platform first (truncation, escaping) and decides what to do with the lines.
/// </summary>
public static class FixedWidthTable
{
    /// <summary>The header line, then one line per row; every row has as many cells as the header.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = Enumerable.Range(0, header.Count)
            .Select(i => Math.Max(header[i].Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))
            .ToArray();
        return [Line(header, widths), .. rows.Select(r => Line(r, widths))];
    }

    private static string Line(IReadOnlyList<string> row, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < row.Count; i++)
        {
            if (i > 0)
            {
                line.Append("  ");
            }
            line.Append(i == row.Count - 1 ? row[i] : row[i].PadRight(widths[i]));
        }
        return line.ToString().TrimEnd();
    }
}
