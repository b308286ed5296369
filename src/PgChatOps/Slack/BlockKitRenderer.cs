using System.Text;
using System.Text.Json.Nodes;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// Renders a neutral <see cref="Reply"/> as a Slack message (<c>text</c> fallback plus <c>blocks</c>), always
/// within Block Kit's limits whatever the input. Every piece of text that Slack reads as mrkdwn is escaped,
/// so query texts and names can never mention anyone, link anywhere or break the formatting. Times
/// (<see cref="ReplyTime"/>) show in each reader's own zone where Slack renders mrkdwn (context, fields, notes), and in
/// UTC in the header, the fallback text and tables (code blocks).
/// </summary>
public static class BlockKitRenderer
{
    public const string ConfirmActionId = "pgchatops.confirm";
    public const string AbortActionId = "pgchatops.abort";

    public const int MaxBlocks = 50;
    public const int MaxSectionText = 3000;
    public const int MaxHeaderText = 150;
    public const int MaxFieldText = 2000;
    public const int MaxFieldsPerSection = 10;
    public const int MaxContextText = 2000;
    public const int MaxButtonLabel = 75;

    /// <summary>Slack's limit on a button's value.</summary>
    public const int MaxButtonValue = 2000;

    public const string CsvActionId = WholeListButton.ActionIdName;
    public const int MaxFallbackText = 3000;

    // Budgets well inside the limits, so a message stays readable as well as valid.
    private const int MaxFieldSections = 5;
    private const int MaxNoteSections = 5;
    private const int MaxTableSections = 12;
    private const int MaxCellWidth = 60;
    private const string Fence = "```";

    public static JsonObject Render(Reply reply)
    {
        var header = new JsonObject
        {
            ["type"] = "header",
            ["text"] = PlainText(Marker(reply.Kind) + reply.Title, MaxHeaderText, "PgChatOps"),
        };
        var context = string.IsNullOrWhiteSpace(reply.Context) ? null : new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(Mrkdwn(SlackText.FitRich(reply.Context, MaxContextText))),
        };
        var fields = FieldSections(reply.Fields);
        var notes = NoteSections(reply.Notes);
        var actions = Actions(reply);

        var fixedBlocks = 1 + (context is null ? 0 : 1) + fields.Count + notes.Count + (actions is null ? 0 : 1);
        var (table, more) = reply.Table is { } t
            ? TableSections(t, Math.Min(MaxTableSections, MaxBlocks - fixedBlocks - 1))
            : ([], null);

        var blocks = new JsonArray { header };
        if (context is not null)
        {
            blocks.Add(context);
        }
        foreach (var block in fields.Concat(table))
        {
            blocks.Add(block);
        }
        if (more is not null)
        {
            blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Mrkdwn(SlackText.Fit(more, MaxContextText))) });
        }
        foreach (var block in notes)
        {
            blocks.Add(block);
        }
        if (actions is not null)
        {
            blocks.Add(actions);
        }

        return new JsonObject
        {
            ["text"] = Fallback(reply),
            ["blocks"] = blocks,
        };
    }

    /// <summary>The plain notification text: title and context only, escaped, modest in size.</summary>
    private static string Fallback(Reply reply)
    {
        var text = Marker(reply.Kind) + Format.Truncate(reply.Title, 1000);
        if (!string.IsNullOrWhiteSpace(reply.Context))
        {
            text += "\n" + Format.Truncate(reply.Context, 500);
        }
        var fitted = SlackText.Fit(text, MaxFallbackText);
        return string.IsNullOrWhiteSpace(fitted) ? "PgChatOps" : fitted;
    }

    private static string Marker(ReplyKind kind) => kind switch
    {
        ReplyKind.Error => ":x: ",
        ReplyKind.Denied => ":no_entry: ",
        ReplyKind.Confirmation => ":warning: ",
        _ => "",
    };

    private static List<JsonObject> FieldSections(IReadOnlyList<ReplyField> fields)
    {
        var sections = new List<JsonObject>();
        var capacity = MaxFieldSections * MaxFieldsPerSection;
        var shown = fields.Take(fields.Count > capacity ? capacity - 1 : capacity).ToList();
        var items = shown.Select(FieldText).ToList();
        if (fields.Count > shown.Count)
        {
            items.Add(SlackText.Fit($"… {fields.Count - shown.Count} more fields not shown.", MaxFieldText));
        }
        foreach (var chunk in items.Chunk(MaxFieldsPerSection))
        {
            var array = new JsonArray();
            foreach (var item in chunk)
            {
                array.Add(Mrkdwn(item));
            }
            sections.Add(new JsonObject { ["type"] = "section", ["fields"] = array });
        }
        return sections;
    }

    private static string FieldText(ReplyField field)
    {
        var name = SlackText.Fit(Format.Truncate(field.Name, 200), 400);
        var label = name.Length == 0 ? "" : $"*{name}*\n";
        var value = SlackText.FitRich(field.Value, MaxFieldText - label.Length);
        var text = label + value;
        return text.Trim().Length == 0 ? "—" : text;
    }

    private static List<JsonObject> NoteSections(IReadOnlyList<string> notes)
    {
        var texts = new List<string>();
        var current = new StringBuilder();
        foreach (var note in notes.Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            var escaped = SlackText.FitRich(note, MaxSectionText);
            if (current.Length > 0 && current.Length + 1 + escaped.Length > MaxSectionText)
            {
                texts.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0)
            {
                current.Append('\n');
            }
            current.Append(escaped);
        }
        if (current.Length > 0)
        {
            texts.Add(current.ToString());
        }
        if (texts.Count > MaxNoteSections)
        {
            var last = texts[MaxNoteSections - 1];
            texts = [.. texts.Take(MaxNoteSections - 1), last.Length < MaxSectionText ? last + "…" : last[..^1] + "…"];
        }
        return texts.Select(t => new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(t) }).ToList();
    }

    private static (List<JsonObject> Sections, string? More) TableSections(ReplyTable table, int maxSections)
    {
        var lines = TableLines(table);
        var rowCount = lines.Count - 1;
        var budget = MaxSectionText - (Fence.Length * 2) - 2;
        var sections = new List<string>();
        var current = new StringBuilder();
        var shownRows = 0;
        for (var i = 0; i < lines.Count && maxSections > 0; i++)
        {
            var line = SlackText.Fit(lines[i], budget);
            if (current.Length > 0 && current.Length + 1 + line.Length > budget)
            {
                if (sections.Count + 1 >= maxSections)
                {
                    break;
                }
                sections.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0)
            {
                current.Append('\n');
            }
            current.Append(line);
            if (i > 0)
            {
                shownRows++;
            }
        }
        if (current.Length > 0 && maxSections > 0)
        {
            sections.Add(current.ToString());
        }

        var hidden = Math.Max(table.TotalRows, rowCount) - shownRows;
        string? more = null;
        if (hidden > 0)
        {
            var shown = table.Rows.Take(shownRows).ToList();
            more = Format.MoreLine(new ReplyTable(table.Columns, shown, shownRows + hidden) { MoreHint = table.MoreHint, RowNoun = table.RowNoun });
        }
        var blocks = sections.Select(s => new JsonObject
        {
            ["type"] = "section",
            ["text"] = Mrkdwn($"{Fence}\n{s}\n{Fence}"),
        }).ToList();
        return (blocks, more);
    }

    /// <summary>Aligned columns as in the console renderer; the first line names the columns.</summary>
    private static List<string> TableLines(ReplyTable table)
    {
        var columns = table.Columns.Count;
        var cells = table.Rows
            .Select(r => (IReadOnlyList<string>)Enumerable.Range(0, columns).Select(i => Cell(i < r.Count ? r[i] : "")).ToArray())
            .ToList();
        // An empty line would vanish from the code block: keep one space.
        return FixedWidthTable.Lines(table.Columns.Select(Cell).ToArray(), cells).Select(l => l.Length == 0 ? " " : l).ToList();
    }

    // A code block ends at the next fence: keep cell text from ever closing it.
    private static string Cell(string? text) =>
        Format.Truncate(text, MaxCellWidth).Replace('`', 'ˋ');

    private static JsonObject? Actions(Reply reply)
    {
        // One button per role: action ids must be unique within the block.
        var elements = new JsonArray();
        foreach (var button in reply.Buttons.DistinctBy(b => b.Role))
        {
            elements.Add(Button(button));
        }
        if (reply.Files.Count == 0 && reply.WholeList is { } wholeList && wholeList.Value.Length <= MaxButtonValue)
        {
            elements.Add(new JsonObject
            {
                ["type"] = "button",
                ["action_id"] = CsvActionId,
                ["value"] = wholeList.Value,
                ["text"] = PlainText(WholeListButton.Label, MaxButtonLabel, "CSV"),
            });
        }
        return elements.Count == 0 ? null : new JsonObject { ["type"] = "actions", ["elements"] = elements };
    }

    internal static JsonObject Button(ReplyButton button)
    {
        var confirm = button.Role == ButtonRole.Confirm;
        var json = new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = confirm ? ConfirmActionId : AbortActionId,
            ["value"] = button.ActionId.ToString(),
            ["text"] = PlainText(button.Label, MaxButtonLabel, confirm ? "Confirm" : "Abort"),
        };
        if (button.Danger)
        {
            json["style"] = "danger";
        }
        else if (confirm)
        {
            json["style"] = "primary";
        }
        if (button.Dialog is { } dialog)
        {
            json["confirm"] = new JsonObject
            {
                ["title"] = PlainText(dialog.Title, 100, "Are you sure?"),
                ["text"] = PlainText(dialog.Text, 300, "This cannot be undone."),
                ["confirm"] = PlainText(dialog.Confirm, 30, "Yes"),
                ["deny"] = PlainText(dialog.Deny, 30, "Go back"),
                ["style"] = button.Danger ? "danger" : "primary",
            };
        }
        return json;
    }

    internal static JsonObject PlainText(string? text, int max, string fallback)
    {
        var cut = Format.Truncate(text is null ? null : SlackText.Clean(text), max);
        return new JsonObject
        {
            ["type"] = "plain_text",
            ["text"] = string.IsNullOrWhiteSpace(cut) ? fallback : cut,
            ["emoji"] = true,
        };
    }

    // verbatim: Slack would otherwise turn bare URLs into links, #names into channel links and @channel into a mention.
    private static JsonObject Mrkdwn(string text) => new()
    {
        ["type"] = "mrkdwn",
        ["text"] = string.IsNullOrWhiteSpace(text) ? "—" : text,
        ["verbatim"] = true,
    };
}
