namespace PgChatOps.Commands;

/// <summary>One word of a command: <c>key=value</c>, <c>query~text</c>, or a bare word (Key is null).</summary>
/// <param name="Raw">The word as typed, for error messages.</param>
public sealed record CommandArgument(string? Key, string Operator, string Value, string Raw);
