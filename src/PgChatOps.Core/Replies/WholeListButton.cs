using PgChatOps.Commands;

namespace PgChatOps.Replies;

/// <summary>
/// The "Whole list as CSV" button of a sessions list that hides rows (issue 13 item 3). It carries only what the
/// clicker could type: the command text with its target (<see cref="Value"/>). A click runs that text again as the
/// clicker, through the normal parser and access rules (<c>CommandPipeline.HandleCsvClickAsync</c>), so a forged
/// value can get nobody more than they may view. Slack: <c>action_id</c> <c>pgchatops.csv</c>, <c>value</c> =
/// <see cref="Value"/>; Discord: <c>custom_id</c> <c>pgchatops.csv:&lt;value&gt;</c>. A value too long for the
/// platform gets no button: the list's hint line still says what to type.
/// </summary>
public sealed record WholeListButton(string Target, string CommandText)
{
    public const string ActionIdName = "pgchatops.csv";
    public const string Label = "Whole list as CSV";

    /// <summary>The command to run on a click: the list's own text, naming its target.</summary>
    public string Value
    {
        get
        {
            var parsed = CommandParser.Parse(CommandText);
            return parsed.IsSuccess && parsed.Command!.Target is not null
                ? CommandText
                : $"{CommandText} target={Target}";
        }
    }

    public string DiscordCustomId => $"{ActionIdName}:{Value}";

    /// <summary>The command text of a Discord custom_id, or null when it is not this button's.</summary>
    public static string? FromDiscordCustomId(string? customId) =>
        customId is not null && customId.StartsWith(ActionIdName + ":", StringComparison.Ordinal)
            ? customId[(ActionIdName.Length + 1)..]
            : null;
}
