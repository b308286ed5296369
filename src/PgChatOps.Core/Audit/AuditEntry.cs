using PgChatOps.Commands;

namespace PgChatOps.Audit;

/// <summary>One line of the durable audit log.</summary>
/// <param name="Event">request, denied, invalid, confirmation, refused, confirmed, aborted, expired, executed, failed.</param>
public sealed record AuditEntry(
    string Event,
    Platform Platform,
    string Workspace,
    string Channel,
    string ActorId,
    string ActorName)
{
    public string? Thread { get; init; }
    public string? Target { get; init; }
    public string? Verb { get; init; }
    public string? Command { get; init; }
    public Guid? ActionId { get; init; }
    public int? Pid { get; init; }
    public DateTime? BackendStart { get; init; }
    public string? Outcome { get; init; }

    /// <summary>Serialised to jsonb: sessions, reasons, errors.</summary>
    public object? Detail { get; init; }

    public static AuditEntry For(ChatRequest request, string @event) =>
        new(@event, request.Platform, request.Workspace, request.Channel, request.User.Id, request.User.DisplayName)
        {
            Thread = request.Thread,
        };

    public static AuditEntry For(ButtonClick click, string @event) =>
        new(@event, click.Platform, click.Workspace, click.Channel, click.User.Id, click.User.DisplayName);
}
