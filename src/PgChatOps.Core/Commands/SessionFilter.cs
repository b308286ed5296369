namespace PgChatOps.Commands;

/// <summary>
/// Which sessions a command is about. Name filters may hold <c>*</c> globs; they match case-insensitively.
/// Applied in SQL, with parameters.
/// </summary>
public sealed record SessionFilter
{
    public static readonly SessionFilter None = new();

    public string? User { get; init; }
    public string? Database { get; init; }
    public string? Application { get; init; }
    public string? Client { get; init; }
    public SessionState? State { get; init; }
    public string? Wait { get; init; }
    public TimeSpan? Longer { get; init; }
    public string? QueryContains { get; init; }

    public bool IsEmpty => this == None;

    /// <summary>The PostgreSQL spelling of <see cref="State"/>.</summary>
    public static string StateText(SessionState state) => state switch
    {
        SessionState.Active => "active",
        SessionState.Idle => "idle",
        SessionState.IdleInTransaction => "idle in transaction",
        SessionState.IdleInTransactionAborted => "idle in transaction (aborted)",
        SessionState.Fastpath => "fastpath function call",
        SessionState.Disabled => "disabled",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>Turns a <c>*</c> glob into a LIKE pattern with <c>\</c> as the escape character.</summary>
    public static string ToLikePattern(string glob)
    {
        var sb = new System.Text.StringBuilder(glob.Length + 4);
        foreach (var c in glob)
        {
            switch (c)
            {
                case '*': sb.Append('%'); break;
                case '%' or '_' or '\\': sb.Append('\\').Append(c); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
