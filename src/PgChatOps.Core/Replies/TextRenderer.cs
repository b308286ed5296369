using System.Text;

namespace PgChatOps.Replies;

/// <summary>
/// Renders a reply as plain text for the console: aligned columns, no markup. Every piece of text passes through
/// <see cref="Format.Visible"/>: names and query texts come from the database, and a terminal would obey the
/// escape sequences in them.
/// </summary>
public static class TextRenderer
{
    public static string Render(Reply reply, int maxColumnWidth = 60)
    {
        var sb = new StringBuilder();
        var marker = reply.Kind switch
        {
            ReplyKind.Error => "✖ ",
            ReplyKind.Denied => "⛔ ",
            ReplyKind.Confirmation => "⚠ ",
            _ => "",
        };
        sb.Append(marker).AppendLine(Format.OneLine(reply.Title));
        if (reply.Context is { Length: > 0 } context)
        {
            sb.AppendLine(Format.OneLine(context));
        }

        if (reply.Fields.Count > 0)
        {
            var fields = reply.Fields.Select(f => (Name: Format.OneLine(f.Name), Value: Format.Visible(f.Value))).ToList();
            var width = fields.Max(f => f.Name.Length);
            foreach (var f in fields)
            {
                var lines = f.Value.Split('\n');
                sb.Append("  ").Append(f.Name.PadRight(width)).Append("  ").AppendLine(lines[0]);
                foreach (var more in lines.Skip(1))
                {
                    sb.Append("  ").Append(new string(' ', width)).Append("  ").AppendLine(more);
                }
            }
        }

        if (reply.Table is { } table)
        {
            sb.AppendLine();
            AppendTable(sb, table, maxColumnWidth);
        }

        foreach (var note in reply.Notes)
        {
            sb.AppendLine(Format.Visible(note));
        }

        if (reply.Buttons.Count > 0)
        {
            sb.AppendLine(string.Join("   ", reply.Buttons.Select(b => $"[{Format.OneLine(b.Label)}]")));
        }
        return sb.ToString().TrimEnd() + Environment.NewLine;
    }

    internal static void AppendTable(StringBuilder sb, ReplyTable table, int maxColumnWidth)
    {
        var columns = table.Columns.Count;
        var cells = table.Rows
            .Select(r => (IReadOnlyList<string>)[.. Enumerable.Range(0, columns).Select(i => Format.Truncate(i < r.Count ? r[i] : "", maxColumnWidth))])
            .ToList();
        foreach (var line in FixedWidthTable.Lines([.. table.Columns.Select(c => Format.OneLine(c))], cells))
        {
            sb.AppendLine(line);
        }
        if (Format.MoreLine(table) is { } more)
        {
            sb.AppendLine(more);
        }
    }
}
