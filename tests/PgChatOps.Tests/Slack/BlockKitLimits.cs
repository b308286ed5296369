using System.Text.Json.Nodes;

namespace PgChatOps.Tests.Slack;

/// <summary>Every Block Kit limit our messages could reach (PROTOCOLS.md §3), checked on rendered JSON.</summary>
internal static class BlockKitLimits
{
    /// <summary>The broken limits; empty when Slack would accept the message.</summary>
    public static List<string> Violations(JsonObject message)
    {
        var problems = new List<string>();
        void Check(bool ok, string what)
        {
            if (!ok)
            {
                problems.Add(what);
            }
        }

        var text = message["text"]?.GetValue<string>();
        Check(!string.IsNullOrWhiteSpace(text), "fallback text is missing");
        Check(text is null || text.Length <= 3000, $"fallback text has {text?.Length} characters");
        Check(text is null || !HasRawControl(text), "fallback text has an unescaped < or >");

        var blocks = message["blocks"] as JsonArray;
        Check(blocks is not null && blocks.Count is > 0 and <= 50, $"{blocks?.Count} blocks");
        foreach (var block in blocks?.OfType<JsonObject>() ?? [])
        {
            var type = block["type"]?.GetValue<string>();
            Check(block["block_id"] is null || block["block_id"]!.GetValue<string>().Length <= 255, "block_id too long");
            switch (type)
            {
                case "header":
                    CheckText(block["text"], "plain_text", 150, "header", problems);
                    break;
                case "context":
                    var elements = block["elements"] as JsonArray;
                    Check(elements is not null && elements.Count is > 0 and <= 10, "context elements");
                    foreach (var e in elements ?? [])
                    {
                        CheckText(e, null, 3000, "context element", problems);
                    }
                    break;
                case "section":
                    Check(block["text"] is not null || block["fields"] is not null, "section without text or fields");
                    if (block["text"] is { } t)
                    {
                        CheckText(t, null, 3000, "section text", problems);
                    }
                    if (block["fields"] is JsonArray fields)
                    {
                        Check(fields.Count is > 0 and <= 10, $"{fields.Count} section fields");
                        foreach (var f in fields)
                        {
                            CheckText(f, null, 2000, "section field", problems);
                        }
                    }
                    break;
                case "actions":
                    var buttons = block["elements"] as JsonArray;
                    Check(buttons is not null && buttons.Count is > 0 and <= 25, "actions elements");
                    var ids = new HashSet<string>();
                    foreach (var b in buttons?.OfType<JsonObject>() ?? [])
                    {
                        Check(b["type"]?.GetValue<string>() == "button", "non-button element");
                        CheckText(b["text"], "plain_text", 75, "button label", problems);
                        var id = b["action_id"]?.GetValue<string>() ?? "";
                        Check(id.Length is > 0 and <= 255 && ids.Add(id), "action_id missing, too long or repeated");
                        Check((b["value"]?.GetValue<string>().Length ?? 0) <= 2000, "button value too long");
                        Check(b["style"] is null || b["style"]!.GetValue<string>() is "primary" or "danger", "button style");
                        if (b["confirm"] is JsonObject c)
                        {
                            CheckText(c["title"], "plain_text", 100, "confirm title", problems);
                            CheckText(c["text"], "plain_text", 300, "confirm text", problems);
                            CheckText(c["confirm"], "plain_text", 30, "confirm button", problems);
                            CheckText(c["deny"], "plain_text", 30, "deny button", problems);
                        }
                    }
                    break;
                default:
                    problems.Add($"unexpected block type {type}");
                    break;
            }
        }
        return problems;
    }

    private static void CheckText(JsonNode? node, string? type, int max, string what, List<string> problems)
    {
        if (node is not JsonObject o)
        {
            problems.Add($"{what}: not a text object");
            return;
        }
        var kind = o["type"]?.GetValue<string>();
        if (kind is not ("plain_text" or "mrkdwn") || type is not null && kind != type)
        {
            problems.Add($"{what}: type {kind}");
        }
        var text = o["text"]?.GetValue<string>() ?? "";
        if (text.Trim().Length == 0)
        {
            problems.Add($"{what}: empty");
        }
        if (text.Length > max)
        {
            problems.Add($"{what}: {text.Length} > {max} characters");
        }
        if (kind == "mrkdwn" && HasRawControl(text))
        {
            problems.Add($"{what}: unescaped < or > in mrkdwn");
        }
        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            problems.Add($"{what}: ends in half a surrogate pair");
        }
    }

    /// <summary>The one markup the renderer writes itself: a date, with its UTC fallback (PROTOCOLS.md §16.3).</summary>
    private static readonly System.Text.RegularExpressions.Regex DateMarkup =
        new(@"<!date\^\d{1,12}\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>");

    private static bool HasRawControl(string text)
    {
        text = DateMarkup.Replace(text, "");
        return text.Contains('<', StringComparison.Ordinal) || text.Contains('>', StringComparison.Ordinal)
            || System.Text.RegularExpressions.Regex.IsMatch(text, "&(?!amp;|lt;|gt;)");
    }
}
