using PgChatOps.Demo;
using System.Diagnostics;
using PgChatOps.Hosting;

namespace PgChatOps.IntegrationTests.Snapshots;

/// <summary>
/// A PostgreSQL server of its own for tests that hold hundreds of connections at once. The shared server allows
/// 300 for the whole run, so 300 sessions there would starve every other test.
/// </summary>
internal static class RoomyPostgres
{
    public const int MaxConnections = 420;

    private static readonly Lazy<Task<ThrowawayPostgres>> Server = new(StartAsync);

    public static Task<ThrowawayPostgres> GetAsync() => Server.Value;

    private static async Task<ThrowawayPostgres> StartAsync()
    {
        var pg = await ThrowawayPostgres.StartAsync(Console.Error.WriteLine);
        // Settings given on the command line beat ALTER SYSTEM, so restart with the same command line and more
        // connections. postmaster.opts holds it: the server binary, then its quoted arguments (as pg_ctl restart uses).
        var opts = (await File.ReadAllTextAsync(Path.Combine(pg.DataDirectory, "postmaster.opts"))).Trim();
        var binary = opts[..opts.IndexOf(' ', StringComparison.Ordinal)];
        var arguments = opts[(binary.Length + 1)..].Replace("max_connections=300", $"max_connections={MaxConnections}", StringComparison.Ordinal);
        var pgCtl = Path.Combine(Path.GetDirectoryName(binary.Trim('"'))!, "pg_ctl");
        string[] restart = [pgCtl, "-D", pg.DataDirectory, "-l", Path.Combine(pg.Directory, "server.log"), "-m", "fast", "-w", "-t", "60", "-o", arguments, "restart"];
        var psi = Environment.UserName == "root" ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", .. restart]) : new ProcessStartInfo(restart[0], restart[1..]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl restart failed: {await stdout} {await stderr}");
        }
        return pg;
    }
}
