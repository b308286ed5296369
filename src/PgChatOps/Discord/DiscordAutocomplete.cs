using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>
/// Answers an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4) with type 8 (PROTOCOLS.md §16.6): up to 25 choices
/// for the focused <c>target</c>, <c>user</c>, <c>db</c> or <c>app</c> option, from <see cref="NameSuggestions"/>.
/// Autocomplete cannot be deferred, so whatever is not ready well within Discord's 3 seconds is an empty list.
/// </summary>
public sealed class DiscordAutocomplete(NameSuggestions suggestions, IOptions<PgChatOpsOptions> options)
{
    private readonly DiscordOptions _discord = options.Value.Discord;

    public async Task<JsonObject> AnswerAsync(JsonElement interaction, CancellationToken respondBy)
    {
        var choices = new JsonArray();
        var origin = DiscordOrigin.From(interaction, _discord.ApplicationId);
        if (origin is not null && Focused(interaction) is { } focused && Kind(focused.Name) is { } kind)
        {
            var place = new ChatPlace(Platform.Discord, origin.Workspace, origin.Channel, origin.IsDirectMessage);
            foreach (var name in await suggestions.SuggestAsync(place, origin.User, kind, focused.Typed, focused.Target, respondBy))
            {
                choices.Add(new JsonObject { ["name"] = name, ["value"] = name });
            }
        }
        return new JsonObject
        {
            ["type"] = DiscordResponseType.AutocompleteResult,
            ["data"] = new JsonObject { ["choices"] = choices },
        };
    }

    private static SuggestedName? Kind(string option) => option switch
    {
        "target" => SuggestedName.Target,
        "user" => SuggestedName.User,
        "db" => SuggestedName.Database,
        "app" => SuggestedName.Application,
        _ => null,
    };

    /// <summary>The option being typed (anywhere under the subcommand), what is typed so far, and the chosen target.</summary>
    private static (string Name, string Typed, string? Target)? Focused(JsonElement interaction)
    {
        if (!interaction.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        (string, string)? focused = null;
        string? target = null;
        void Walk(JsonElement node)
        {
            if (!node.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array)
            {
                return;
            }
            foreach (var option in options.EnumerateArray())
            {
                if (option.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                var name = DiscordOrigin.String(option, "name");
                var value = option.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (option.TryGetProperty("focused", out var f) && f.ValueKind == JsonValueKind.True && name is not null)
                {
                    focused = (name, value ?? "");
                }
                else if (name == "target" && value is { Length: > 0 })
                {
                    target = value;
                }
                Walk(option);
            }
        }
        Walk(data);
        return focused is { } found ? (found.Item1, found.Item2, target) : null;
    }
}
