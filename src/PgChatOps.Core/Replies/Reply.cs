namespace PgChatOps.Replies;

/// <summary>
/// A platform-neutral answer. Renderers turn it into text, Block Kit or Discord embeds,
/// each within its own platform's limits.
/// </summary>
public sealed record Reply
{
    public required ReplyKind Kind { get; init; }
    public required string Title { get; init; }

    /// <summary>A one-line context: target, time, counts.</summary>
    public string? Context { get; init; }
    public IReadOnlyList<ReplyField> Fields { get; init; } = [];
    public ReplyTable? Table { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    public IReadOnlyList<ReplyButton> Buttons { get; init; } = [];

    /// <summary>A list that hides rows offers them all as a CSV file with this button, while no file is attached.</summary>
    public WholeListButton? WholeList { get; init; }

    /// <summary>Files that go with the reply (a chart, a snapshot, a whole list as CSV), uploaded the way each platform expects.</summary>
    public IReadOnlyList<ReplyFile> Files { get; init; } = [];
    public Visibility Visibility { get; init; } = Visibility.Channel;

    /// <summary>True when this reply should replace the message that carried the clicked button.</summary>
    public bool ReplaceOriginal { get; init; }

    /// <summary>The pending action this reply is about, when there is one.</summary>
    public Guid? ActionId { get; init; }

    public static Reply Error(string title, params string[] notes) =>
        new() { Kind = ReplyKind.Error, Title = title, Notes = notes, Visibility = Visibility.Requester };
}

public enum ReplyKind
{
    /// <summary>Read results, help, lists.</summary>
    Info,

    /// <summary>Bad input or a failure the user should read; shown to the requester only.</summary>
    Error,

    /// <summary>A permission was missing; shown to the requester only.</summary>
    Denied,

    /// <summary>A preview with confirm and abort buttons.</summary>
    Confirmation,

    /// <summary>What happened to a confirmation: executed, failed, aborted or expired. Also sent to the audit channel.</summary>
    Outcome,
}

public enum Visibility
{
    /// <summary>The whole channel sees it.</summary>
    Channel,

    /// <summary>Only the person who asked (Slack ephemeral, Discord flag 64).</summary>
    Requester,
}

public sealed record ReplyField(string Name, string Value);

/// <summary>A table of already formatted cells. <see cref="TotalRows"/> counts rows beyond those shown.</summary>
public sealed record ReplyTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, int TotalRows)
{
    public int HiddenRows => Math.Max(0, TotalRows - Rows.Count);

    /// <summary>What to type to see more, e.g. "add limit=100".</summary>
    public string? MoreHint { get; init; }

    /// <summary>The noun for the "N more … not shown" line.</summary>
    public string RowNoun { get; init; } = "sessions";
}

public sealed record ReplyButton(ButtonRole Role, Guid ActionId, string Label, bool Danger = false)
{
    /// <summary>A second "are you sure" shown by the platform before the click counts (Slack confirm dialog).</summary>
    public ConfirmDialog? Dialog { get; init; }
}

public enum ButtonRole
{
    Confirm,
    Abort,
}

public sealed record ConfirmDialog(string Title, string Text, string Confirm, string Deny);
