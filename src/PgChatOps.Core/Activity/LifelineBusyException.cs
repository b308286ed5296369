namespace PgChatOps.Activity;

/// <summary>
/// A read gave up waiting for the lifeline: the server is full (the pool got SQLSTATE 53300) and the one reserved
/// connection stayed busy with other work, which actions get first. A timeout, so the pipeline's database-error
/// handling turns it into a plain sentence (<see cref="DatabaseErrors.Cause"/>).
/// </summary>
public sealed class LifelineBusyException(string lifeline)
    : TimeoutException($"The server is full and the lifeline to {lifeline} stayed busy with another command.")
{
    /// <summary>Which lifeline: a target's name, or "state store".</summary>
    public string Lifeline { get; } = lifeline;
}
