namespace PgChatOps.Actions;

/// <summary>The action could not start: nothing was signalled (target gone from the configuration, or unreachable).</summary>
public sealed class ActionNotStartedException(string message, Exception? inner = null) : Exception(message, inner);
