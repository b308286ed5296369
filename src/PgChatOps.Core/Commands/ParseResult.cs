namespace PgChatOps.Commands;

/// <summary>Either a command or a one-line error that names the offending word and shows the right form.</summary>
public sealed record ParseResult
{
    public Command? Command { get; private init; }
    public string? Error { get; private init; }

    /// <summary>The error is best followed by the grammar (unknown verb, empty input).</summary>
    public bool ShowHelp { get; private init; }

    public bool IsSuccess => Command is not null;

    public static ParseResult Ok(Command command) => new() { Command = command };

    public static ParseResult Fail(string error, bool showHelp = false) => new() { Error = error, ShowHelp = showHelp };
}
