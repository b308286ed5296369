namespace PgChatOps.Watch;

/// <summary>
/// Where alerts are posted: one message per incident, updated while it lasts and marked resolved when it clears.
/// Implemented by the Slack, Discord and console adapters; the platform and channel are in the alert.
/// The engine calls <see cref="OpenAsync"/> once per incident (after recording it in the state store, so two replicas
/// never both post it) and keeps the returned reference in the state store, so updates carry on across restarts and
/// replicas. A call that throws is retried on the next sample.
/// </summary>
public interface IAlertSink
{
    /// <summary>Posts a new alert; returns the platform's reference to the message (e.g. Slack channel + ts).</summary>
    Task<string> OpenAsync(Alert alert, CancellationToken ct);

    /// <summary>Replaces the message with the alert's new state (more sessions, longer, snoozed).</summary>
    Task UpdateAsync(string messageRef, Alert alert, CancellationToken ct);

    /// <summary>Marks the message resolved (<see cref="Alert.ResolvedAt"/>, <see cref="Alert.Lasted"/>), without live buttons.</summary>
    Task ResolveAsync(string messageRef, Alert alert, CancellationToken ct);
}
