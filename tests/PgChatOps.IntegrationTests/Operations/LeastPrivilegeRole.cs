using PgChatOps.Demo;
using System.Diagnostics;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// manifests/postgres/pgchatops-role.sql applied with psql, as an operator would, to the test server. The role is
/// cluster-wide, so applications are serialised; each test gets a state database of its own.
/// </summary>
public static class LeastPrivilegeRole
{
    public const string Name = "pgchatops";
    public const string Password = "role-test-password";
    public const string OwnerName = "pgchatops_owner";
    public const string OwnerPassword = "owner-test-password";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string Script => Path.Combine(RepositoryRoot(), "manifests", "postgres", "pgchatops-role.sql");

    /// <summary>Creates a state database, applies the script in it, and returns its name.</summary>
    public static async Task<string> CreateStateDatabaseAsync()
    {
        var db = await TestDatabase.CreateDatabaseAsync("rolestate");
        await ApplyAsync(db);
        return db;
    }

    /// <param name="server">Another cluster than the shared test server, e.g. a small one for a connection storm.</param>
    public static async Task ApplyAsync(string database, PgChatOps.Demo.ThrowawayPostgres? server = null)
    {
        var pg = server ?? await TestDatabase.GetAsync();
        await Gate.WaitAsync();
        try
        {
            var psi = new ProcessStartInfo(Psql())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-X", "-q", "-h", "127.0.0.1", "-p", pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-v", $"password={Password}", "-v", $"owner_password={OwnerPassword}", "-f", Script })
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"psql failed ({p.ExitCode}): {await err} {await output}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<string> ConnectionStringAsync(string database = "postgres") =>
        (await TestDatabase.GetAsync()).ConnectionStringFor(database, Name) + $";Password={Password}";

    /// <summary>The schema owner's connection string: PgChatOps:MigrationConnectionString.</summary>
    public static async Task<string> OwnerConnectionStringAsync(string database) =>
        (await TestDatabase.GetAsync()).ConnectionStringFor(database, OwnerName) + $";Password={OwnerPassword}";

    private static string Psql()
    {
        var dirs = new List<string>();
        if (Environment.GetEnvironmentVariable("PGCHATOPS_PG_BIN") is { Length: > 0 } env)
        {
            dirs.Add(env);
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            dirs.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")));
        }
        dirs.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return dirs.Select(d => Path.Combine(d, "psql")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("psql was not found beside the server binaries");
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgChatOps.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("PgChatOps.sln not found above " + AppContext.BaseDirectory);
    }
}
