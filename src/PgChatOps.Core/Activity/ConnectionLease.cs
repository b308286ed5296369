using Npgsql;

namespace PgChatOps.Activity;

/// <summary>An open connection for one piece of work: a pooled one, or the lifeline's. Dispose it to give it back.</summary>
public sealed class ConnectionLease(NpgsqlConnection connection, Func<ValueTask> release, bool onLifeline) : IAsyncDisposable
{
    private int _released;

    public NpgsqlConnection Connection { get; } = connection;

    /// <summary>True when the pool could not open a connection (the server is full) and this is the lifeline.</summary>
    public bool OnLifeline { get; } = onLifeline;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? release() : ValueTask.CompletedTask;
}
