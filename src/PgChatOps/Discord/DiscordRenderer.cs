using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PgChatOps.Artifacts;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>
/// Renders a reply as a Discord message body: the title as content, one embed (fields, the table as a code
/// block, notes, the context as footer) and buttons in action rows. Pure, and always within
/// <see cref="DiscordLimits"/>: what does not fit is cut with an "N more" line rather than rejected by Discord.
/// Times (<see cref="ReplyTime"/>) show in each reader's zone where Discord renders markdown (content, field values,
/// the description) and in UTC in the footer, field names and tables (code blocks).
/// </summary>
public static partial class DiscordRenderer
{
    private const int FooterBudget = 300;
    private const int CellWidth = 20;
    private const int LastCellWidth = 48;
    private const int MoreLineBudget = 200;
    private const int NotesReserve = 800;
    private const int DescriptionReserve = 2000;

    /// <summary>Plain UTF-8 JSON: the bodies are JSON for Discord, never HTML, so nothing needs \u escapes.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Render(Reply reply)
    {
        var title = FitRich(Marker(reply.Kind) + reply.Title, DiscordLimits.Content);
        var message = new JsonObject
        {
            ["content"] = title.Length == 0 ? "…" : title,
            ["embeds"] = new JsonArray(Embed(reply)),
            ["components"] = Components(reply),
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        };
        if (reply.Visibility == Visibility.Requester)
        {
            message["flags"] = DiscordLimits.EphemeralFlag;
        }
        return message;
    }

    /// <summary>The same message for an edit (PATCH) or a channel post, where the ephemeral flag has no place.</summary>
    public static JsonObject RenderForEdit(Reply reply)
    {
        var message = Render(reply);
        message.Remove("flags");
        return message;
    }

    /// <summary>An interaction response: type 4 (a new message) or 7 (update the message the button was on).</summary>
    public static JsonObject Response(int type, Reply reply) => new()
    {
        ["type"] = type,
        ["data"] = type == DiscordResponseType.UpdateMessage ? RenderForEdit(reply) : Render(reply),
    };

    private static string Marker(ReplyKind kind) => kind switch
    {
        ReplyKind.Error => "✖ ",
        ReplyKind.Denied => "⛔ ",
        ReplyKind.Confirmation => "⚠ ",
        _ => "",
    };

    private static int Color(ReplyKind kind) => kind switch
    {
        ReplyKind.Error or ReplyKind.Denied => 0xD83C3E,
        ReplyKind.Confirmation => 0xF0A30A,
        ReplyKind.Outcome => 0x2E8B57,
        _ => 0x336791,
    };

    private static JsonObject Embed(Reply reply)
    {
        var embed = new JsonObject { ["color"] = Color(reply.Kind) };
        var used = 0;
        if (reply.Context is { Length: > 0 } context)
        {
            var footer = Format.Truncate(context, FooterBudget);
            if (footer.Length > 0)
            {
                embed["footer"] = new JsonObject { ["text"] = footer };
                used += footer.Length;
            }
        }

        var hasDescription = reply.Table is not null || reply.Notes.Count > 0;
        var fields = Fields(reply.Fields, DiscordLimits.EmbedTotal - used - (hasDescription ? DescriptionReserve : 0), out var fieldChars);
        if (fields.Count > 0)
        {
            embed["fields"] = fields;
            used += fieldChars;
        }

        var description = Description(reply, Math.Min(DiscordLimits.EmbedDescription, DiscordLimits.EmbedTotal - used));
        if (description.Length > 0)
        {
            embed["description"] = description;
        }
        return embed;
    }

    private static JsonArray Fields(IReadOnlyList<ReplyField> source, int budget, out int chars)
    {
        const int moreReserve = 40;
        var fields = new JsonArray();
        chars = 0;
        var shown = 0;
        foreach (var f in source)
        {
            if (fields.Count == DiscordLimits.EmbedFields - 1 && source.Count > DiscordLimits.EmbedFields)
            {
                break;
            }
            var name = FitMarkdown(Format.Truncate(f.Name, DiscordLimits.FieldName), DiscordLimits.FieldName);
            var value = FitRich(f.Value, DiscordLimits.FieldValue);
            name = name.Trim().Length == 0 ? "—" : name;
            value = value.Trim().Length == 0 ? "—" : value;
            if (chars + name.Length + value.Length > budget - moreReserve)
            {
                break;
            }
            fields.Add(new JsonObject { ["name"] = name, ["value"] = value, ["inline"] = value.Length <= 40 && !value.Contains('\n') });
            chars += name.Length + value.Length;
            shown++;
        }
        if (shown < source.Count && chars + moreReserve <= budget)
        {
            var more = $"{source.Count - shown} more not shown";
            fields.Add(new JsonObject { ["name"] = "…", ["value"] = more, ["inline"] = false });
            chars += 1 + more.Length;
        }
        return fields;
    }

    private static string Description(Reply reply, int budget)
    {
        var sb = new StringBuilder();
        if (reply.Table is { } table)
        {
            var notesWanted = Math.Min(reply.Notes.Sum(n => n.Length + 1), NotesReserve);
            AppendTable(sb, table, budget - notesWanted);
        }
        foreach (var note in reply.Notes)
        {
            var separator = sb.Length == 0 ? 0 : 1;
            var room = budget - sb.Length - separator;
            if (room < 16)
            {
                break;
            }
            var text = Note(note, room);
            if (text.Length == 0)
            {
                continue;
            }
            if (separator > 0)
            {
                sb.Append('\n');
            }
            sb.Append(text);
        }
        return sb.ToString();
    }

    private static void AppendTable(StringBuilder sb, ReplyTable table, int budget)
    {
        var columns = Enumerable.Range(0, table.Columns.Count)
            .Where(i => i == 0 || table.Rows.Count == 0 || table.Rows.Any(r => i < r.Count && !string.IsNullOrWhiteSpace(r[i])))
            .ToList();
        var last = columns.Count == 0 ? -1 : columns[^1];
        string Cell(IReadOnlyList<string> row, int i) =>
            Code(Format.Truncate(i < row.Count ? row[i] : "", i == last ? LastCellWidth : CellWidth));

        var header = columns.Select(i => Code(Format.Truncate(table.Columns[i], CellWidth))).ToList();
        var cells = table.Rows.Select(r => (IReadOnlyList<string>)columns.Select(i => Cell(r, i)).ToList()).ToList();
        var lines = FixedWidthTable.Lines(header, cells);

        const string fence = "```";
        var block = new StringBuilder().Append(fence).Append('\n').Append(lines[0]).Append('\n');
        var room = budget - MoreLineBudget - fence.Length - 1;
        if (block.Length > room)
        {
            sb.Append(FitMarkdown($"(a table of {table.Rows.Count:N0} {table.RowNoun} is too wide to show here)", Math.Max(0, budget)));
            return;
        }
        var shown = 0;
        foreach (var line in lines.Skip(1))
        {
            if (block.Length + line.Length + 1 > room)
            {
                break;
            }
            block.Append(line).Append('\n');
            shown++;
        }
        block.Append(fence);
        sb.Append(block);

        var cut = new ReplyTable(table.Columns, table.Rows.Take(shown).ToList(), Math.Max(table.TotalRows, table.Rows.Count))
        {
            MoreHint = table.MoreHint,
            RowNoun = table.RowNoun,
        };
        if (Format.MoreLine(cut) is { } more)
        {
            sb.Append('\n').Append(FitMarkdown(more, MoreLineBudget));
        }
    }

    /// <summary>A one-line note as text; a multi-line one (a full query) as its first line and a code block.</summary>
    private static string Note(string note, int room)
    {
        var newline = note.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0)
        {
            return FitRich(note, room);
        }
        var head = FitRich(note[..newline].TrimEnd(), Math.Min(room, 300));
        var codeRoom = room - head.Length - 1 - 8;
        if (codeRoom < 20)
        {
            return head;
        }
        var code = Format.TruncateBlock(Code(note[(newline + 1)..].TrimEnd()), codeRoom);
        return $"{head}\n```\n{code}\n```";
    }

    private static JsonArray Components(Reply reply)
    {
        var rows = Components(reply.Buttons);
        if (reply.Files.Count == 0 && reply.WholeList is { } wholeList && wholeList.DiscordCustomId.Length <= DiscordLimits.CustomId
            && rows.Count < DiscordLimits.ActionRows)
        {
            rows.Add(new JsonObject
            {
                ["type"] = 1,
                ["components"] = new JsonArray(new JsonObject
                {
                    ["type"] = 2,
                    ["style"] = 2,
                    ["label"] = WholeListButton.Label,
                    ["custom_id"] = wholeList.DiscordCustomId,
                }),
            });
        }
        return rows;
    }

    private static JsonArray Components(IReadOnlyList<ReplyButton> buttons)
    {
        var rows = new JsonArray();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var usable = buttons.Where(b => ids.Add(DiscordCustomId.For(b))).Take(DiscordLimits.ActionRows * DiscordLimits.ButtonsPerRow);
        foreach (var chunk in usable.Chunk(DiscordLimits.ButtonsPerRow))
        {
            var row = new JsonArray();
            foreach (var b in chunk)
            {
                var label = Format.Truncate(b.Label, DiscordLimits.ButtonLabel);
                row.Add(new JsonObject
                {
                    ["type"] = 2,
                    ["style"] = b.Role == ButtonRole.Abort ? 2 : b.Danger ? 4 : 1,
                    ["label"] = label.Length == 0 ? (b.Role == ButtonRole.Abort ? "Abort" : "Confirm") : label,
                    ["custom_id"] = DiscordCustomId.For(b),
                });
            }
            rows.Add(new JsonObject { ["type"] = 1, ["components"] = row });
        }
        return rows;
    }

    /// <summary>Text for a code block: a backtick could close the block, so it becomes a look-alike.</summary>
    internal static string Code(string text) => text.Replace('`', 'ˋ');

    /// <summary>
    /// Escapes Discord markdown outside `inline code`, so that names and query texts read as typed and can never
    /// format, link or mention: <c>* _ ~ | \</c>; <c>[</c> (a masked link <c>[text](url)</c>); <c>&lt;</c> (mentions,
    /// timestamps, <c>&lt;url&gt;</c>); <c>@</c> (<c>@everyone</c>); the colon of <c>://</c> (a bare URL); and at the
    /// start of a line <c>#</c>, <c>&gt;</c>, <c>-</c> and the dot of <c>1.</c> (headings, quotes, lists). Discord shows
    /// a backslash before any such character as the character alone. Inline code the core wrote stays code.
    /// </summary>
    internal static string Markdown(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        var parts = RunsOfBackticks().Replace(text, m => new string('ˋ', m.Length)).Split('`');
        var balanced = parts.Length % 2 == 1;
        var lineStart = true;
        for (var p = 0; p < parts.Length; p++)
        {
            var inCode = p % 2 == 1 && (balanced || p < parts.Length - 1);
            if (p > 0)
            {
                sb.Append(inCode || p % 2 == 0 ? "`" : "\\`");
                lineStart = false;
            }
            if (inCode)
            {
                sb.Append(parts[p]);
                continue;
            }
            var part = parts[p];
            for (var i = 0; i < part.Length; i++)
            {
                var c = part[i];
                if (lineStart && char.IsAsciiDigit(c) && OrderedListDot(part, i) is var dot and > 0)
                {
                    // "12. text" is a numbered list: the dot is what makes it one.
                    sb.Append(part, i, dot - i).Append("\\.");
                    i = dot;
                    lineStart = false;
                    continue;
                }
                if (c is '*' or '_' or '~' or '|' or '\\' or '[' or '<' or '@'
                    || (c == ':' && part.AsSpan(i + 1).StartsWith("//", StringComparison.Ordinal))
                    || (lineStart && c is '#' or '>' or '-'))
                {
                    sb.Append('\\');
                }
                sb.Append(c);
                lineStart = c == '\n' || (lineStart && c == ' ');
            }
        }
        return sb.ToString();
    }

    /// <summary>Where the dot of a numbered-list marker ("12. ") starting at <paramref name="i"/> is, or -1.</summary>
    private static int OrderedListDot(string text, int i)
    {
        var j = i;
        while (j < text.Length && char.IsAsciiDigit(text[j]))
        {
            j++;
        }
        return j < text.Length && text[j] == '.' && (j + 1 == text.Length || text[j + 1] == ' ') ? j : -1;
    }

    /// <summary>The core writes `inline code` with single backticks; a run of two or more could open a code block.</summary>
    [GeneratedRegex("``+")]
    private static partial Regex RunsOfBackticks();

    /// <summary>
    /// Like <see cref="FitMarkdown"/>, where Discord renders markdown (content, descriptions, field values): each
    /// <see cref="ReplyTime"/> becomes <c>&lt;t:…:f&gt; (&lt;t:…:R&gt;)</c>, the reader's local time and how long ago.
    /// When that would not fit, the UTC text.
    /// </summary>
    internal static string FitRich(string text, int max)
    {
        if (!ReplyTime.In(text))
        {
            return FitMarkdown(text, max);
        }
        // Escaping leaves the tokens whole (digits, dashes, colons, "UTC" and the marker), so they resolve after it.
        var rich = ReplyTime.Resolve(Markdown(text), LocalTimeMarkup.Discord, showsRelative: true);
        return rich.Length <= max ? rich : FitMarkdown(text, max);
    }

    /// <summary>
    /// Escapes and fits in <paramref name="max"/> characters by cutting the text before escaping it: cutting escaped
    /// text could drop the backtick that closes a code span, and leave what was inside it live.
    /// </summary>
    internal static string FitMarkdown(string text, int max)
    {
        text = ReplyTime.Plain(text);
        var escaped = Markdown(text);
        if (escaped.Length <= max)
        {
            return escaped;
        }
        if (max <= 0)
        {
            return "";
        }
        // The longest cut of the source whose escaped form fits; escaping only ever adds characters.
        var (low, high) = (0, Math.Min(text.Length, max));
        var best = "";
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var candidate = Markdown(Format.TruncateBlock(text, mid));
            if (candidate.Length <= max)
            {
                best = candidate;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return best;
    }
}
