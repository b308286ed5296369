using System.Text.Json.Nodes;
using PgChatOps.Discord;

namespace PgChatOps.Tests.Discord;

/// <summary>Every rule of PROTOCOLS.md §11 a message body can break; an empty list means Discord would accept it.</summary>
public static class DiscordMessageLimits
{
    public static List<string> Violations(JsonObject message)
    {
        var v = new List<string>();
        var content = message["content"]?.GetValue<string>() ?? "";
        if (content.Length > DiscordLimits.Content) v.Add($"content {content.Length}");
        var embeds = message["embeds"]?.AsArray() ?? [];
        if (content.Trim().Length == 0 && embeds.Count == 0) v.Add("empty message");
        if (embeds.Count > DiscordLimits.Embeds) v.Add($"embeds {embeds.Count}");
        var total = 0;
        foreach (var e in embeds)
        {
            var embed = e!.AsObject();
            var title = embed["title"]?.GetValue<string>() ?? "";
            var description = embed["description"]?.GetValue<string>() ?? "";
            var footer = embed["footer"]?["text"]?.GetValue<string>() ?? "";
            if (title.Length > DiscordLimits.EmbedTitle) v.Add($"title {title.Length}");
            if (description.Length > DiscordLimits.EmbedDescription) v.Add($"description {description.Length}");
            if (footer.Length > DiscordLimits.Footer) v.Add($"footer {footer.Length}");
            if (embed.ContainsKey("description") && description.Trim().Length == 0) v.Add("blank description");
            total += title.Length + description.Length + footer.Length;
            var fields = embed["fields"]?.AsArray() ?? [];
            if (fields.Count > DiscordLimits.EmbedFields) v.Add($"fields {fields.Count}");
            foreach (var f in fields)
            {
                var name = f!["name"]!.GetValue<string>();
                var value = f["value"]!.GetValue<string>();
                if (name.Trim().Length == 0 || name.Length > DiscordLimits.FieldName) v.Add($"field name {name.Length}");
                if (value.Trim().Length == 0 || value.Length > DiscordLimits.FieldValue) v.Add($"field value {value.Length}");
                total += name.Length + value.Length;
            }
            if (CountFences(description) % 2 != 0) v.Add("unbalanced code fences in description");
        }
        if (total > DiscordLimits.EmbedTotal) v.Add($"embed total {total}");

        var rows = message["components"]?.AsArray() ?? [];
        if (rows.Count > DiscordLimits.ActionRows) v.Add($"rows {rows.Count}");
        var ids = new HashSet<string>();
        foreach (var row in rows)
        {
            var buttons = row!["components"]!.AsArray();
            if (row["type"]!.GetValue<int>() != 1) v.Add("row type");
            if (buttons.Count is 0 or > DiscordLimits.ButtonsPerRow) v.Add($"buttons in a row {buttons.Count}");
            foreach (var b in buttons)
            {
                var label = b!["label"]!.GetValue<string>();
                var id = b["custom_id"]!.GetValue<string>();
                if (label.Length is 0 or > DiscordLimits.ButtonLabel) v.Add($"label {label.Length}");
                if (id.Length is 0 or > DiscordLimits.CustomId) v.Add($"custom_id {id.Length}");
                if (!ids.Add(id)) v.Add("duplicate custom_id");
            }
        }
        if (message["allowed_mentions"]?["parse"]?.AsArray() is not { Count: 0 }) v.Add("allowed_mentions not empty");
        return v;
    }

    private static int CountFences(string text)
    {
        var n = 0;
        for (var i = text.IndexOf("```", StringComparison.Ordinal); i >= 0; i = text.IndexOf("```", i + 3, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }
}
