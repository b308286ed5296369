using PgChatOps.Demo;
using Npgsql;
using PgChatOps.Hosting;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// Ordinary-role logins to a small cluster of the test's own, opened until the server refuses the next one
/// (SQLSTATE 53300): max_connections used up, as in a real connection storm.
/// </summary>
internal sealed class ConnectionStorm : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _connections = [];

    private ConnectionStorm(string application) => Application = application;

    public string Application { get; }

    public IReadOnlyList<NpgsqlConnection> Connections => _connections;

    /// <summary>What the server said to the login it refused.</summary>
    public string Refusal { get; private set; } = "";

    public static async Task<ConnectionStorm> FillAsync(ThrowawayPostgres pg, string database, string role, string application)
    {
        var storm = new ConnectionStorm(application);
        for (var i = 0; i < 500; i++)
        {
            var conn = new NpgsqlConnection(LoginString(pg, database, role, application));
            try
            {
                await conn.OpenAsync();
                storm._connections.Add(conn);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
            {
                await conn.DisposeAsync();
                storm.Refusal = ex.MessageText;
                return storm;
            }
        }
        throw new InvalidOperationException("The server never refused a login: max_connections is not small.");
    }

    /// <summary>A fresh login, closed at once; null when it worked, otherwise the server's refusal (53300 only).</summary>
    public static async Task<string?> TryLoginAsync(ThrowawayPostgres pg, string database, string role, string? password = null)
    {
        await using var conn = new NpgsqlConnection(LoginString(pg, database, role, "storm-probe") + (password is null ? "" : $";Password={password}"));
        try
        {
            await conn.OpenAsync();
            return null;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
        {
            return $"{ex.SqlState}: {ex.MessageText}";
        }
    }

    private static string LoginString(ThrowawayPostgres pg, string database, string role, string application) =>
        new NpgsqlConnectionStringBuilder(pg.ConnectionStringFor(database, role)) { ApplicationName = application, Pooling = false, Timeout = 5 }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        foreach (var conn in _connections)
        {
            try
            {
                await conn.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Terminated by the bot: that was the point.
            }
        }
    }

    /// <summary>One value, as the test's superuser: it gets in through superuser_reserved_connections during the storm.</summary>
    public static async Task<T> ScalarAsync<T>(ThrowawayPostgres pg, string sql, string database = "postgres")
    {
        await using var conn = new NpgsqlConnection(pg.ConnectionStringFor(database) + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Polls <paramref name="condition"/> for up to 30 seconds.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, int pollMilliseconds = 100)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(pollMilliseconds);
        }
    }
}
