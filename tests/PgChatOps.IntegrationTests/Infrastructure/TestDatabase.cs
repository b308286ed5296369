using PgChatOps.Demo;
using Npgsql;
using PgChatOps.Hosting;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// The one real PostgreSQL server of this test run: started on first use from the machine's binaries
/// (installed from Debian's packages when missing), stopped when the test process ends.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<ThrowawayPostgres>> Server = new(() => ThrowawayPostgres.StartAsync(Console.Error.WriteLine));

    public static Task<ThrowawayPostgres> GetAsync() => Server.Value;

    /// <summary>A superuser connection string to the given database.</summary>
    public static async Task<string> ConnectionStringAsync(string database = "postgres") =>
        (await GetAsync()).ConnectionStringFor(database);

    /// <summary>A fresh database of its own, so that state-store tests never share rows.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var pg = await GetAsync();
        var name = Unique(prefix);
        await pg.ExecuteAsync($"CREATE DATABASE {name}");
        return name;
    }

    public static string Unique(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 17)];

    public static async Task<T> ScalarAsync<T>(string sql, string database = "postgres", params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(await ConnectionStringAsync(database) + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
