namespace PgChatOps.Charts;

/// <summary>An incident (an alert that fired) over a time range; <see cref="End"/> is null while it lasts.</summary>
public sealed record IncidentSpan(DateTimeOffset Start, DateTimeOffset? End, string Label);
