namespace PgChatOps.Hosting;

/// <summary>A line a feature adds to <c>/readyz</c>; <see cref="ReadinessLine.Ready"/> false makes the replica not ready; null says nothing.</summary>
public interface IReadinessReport
{
    ReadinessLine? Report();
}
