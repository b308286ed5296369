using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace PgChatOps.Demo;

/// <summary>
/// A private PostgreSQL server in a temporary directory, on a free port on 127.0.0.1, from the machine's
/// own binaries. Run as the <c>postgres</c> OS user when we are root. Used by the console demo and the tests.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _binDir;
    private readonly bool _asPostgresUser;
    private int _stopped;

    private readonly IReadOnlyList<string> _settings;

    private ThrowawayPostgres(string binDir, string directory, int port, bool asPostgresUser, IReadOnlyList<string> settings)
    {
        _binDir = binDir;
        Directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
        _settings = settings;
    }

    public string Directory { get; }
    public string DataDirectory => Path.Combine(Directory, "data");
    public int Port { get; }

    /// <summary>A superuser connection string to the <c>postgres</c> database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database, string user = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Database = database,
            Pooling = true,
        }.ConnectionString;

    /// <param name="settings">Extra server settings as <c>name=value</c> (no spaces), applied after the defaults.</param>
    public static async Task<ThrowawayPostgres> StartAsync(Action<string>? log = null, IReadOnlyList<string>? settings = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        var binDir = await FindOrInstallBinariesAsync(log, ct);
        var asPostgres = Environment.UserName == "root";

        var dir = Path.Combine(Path.GetTempPath(), "pgchatops-pg-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:", dir], ct);
        }

        var initdbArgs = new[] { "-D", Path.Combine(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions" };
        await RunAsync(Path.Combine(binDir, "initdb"), initdbArgs, ct, asPostgres);

        return await StartOnFreePortAsync(binDir, dir, asPostgres, settings ?? [], log, ct);
    }

    /// <summary>
    /// A standby of this server in a directory of its own: a copy taken with <c>pg_basebackup -R</c> (which
    /// writes <c>standby.signal</c> and the <c>primary_conninfo</c> to stream from here), started on a free
    /// port. Give <c>hot_standby=off</c> in <paramref name="settings"/> for a standby that refuses connections
    /// while in recovery. Stopped and removed like any other throwaway server.
    /// </summary>
    public async Task<ThrowawayPostgres> StartStandbyAsync(IReadOnlyList<string>? settings = null, Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        var dir = Path.Combine(Path.GetTempPath(), "pgchatops-pg-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            if (_asPostgresUser)
            {
                await RunAsync("chown", ["postgres:", dir], ct);
            }
            // A fast checkpoint, WAL streamed alongside, no fsync: a copy of a fresh cluster in a second or two.
            var backupArgs = new[]
            {
                "-D", Path.Combine(dir, "data"), "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", "postgres", "-R", "-X", "stream", "-c", "fast", "--no-sync", "-w",
            };
            await RunAsync(Path.Combine(_binDir, "pg_basebackup"), backupArgs, ct, _asPostgresUser);
            return await StartOnFreePortAsync(_binDir, dir, _asPostgresUser, settings ?? [], log, ct);
        }
        catch
        {
            TryDelete(dir);
            throw;
        }
    }

    private static async Task<ThrowawayPostgres> StartOnFreePortAsync(string binDir, string dir, bool asPostgres, IReadOnlyList<string> settings, Action<string> log, CancellationToken ct)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort();
            var server = new ThrowawayPostgres(binDir, dir, port, asPostgres, settings);
            try
            {
                await server.StartServerAsync(ct);
                log($"Started a throwaway PostgreSQL on 127.0.0.1:{port} (data in {dir}).");
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopSync();
                server.StartWatchdog();
                return server;
            }
            catch (InvalidOperationException ex)
            {
                // Most likely another process took the port between our probe and the bind.
                last = ex;
            }
        }
        throw new InvalidOperationException($"Could not start PostgreSQL in {dir}: {last?.Message}", last);
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var options = string.Join(' ',
            $"-p {Port}",
            $"-k {Directory}",
            "-c listen_addresses=127.0.0.1",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=300",
            "-c track_activity_query_size=4096",
            "-c shared_buffers=32MB",
            string.Join(' ', _settings.Select(setting => $"-c {setting}")));
        await RunAsync(Path.Combine(_binDir, "pg_ctl"),
            ["-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "-o", options, "start"], ct, _asPostgresUser);
    }

    /// <summary>
    /// A detached shell that stops the server and removes its directory once this process is gone,
    /// however it ends (a crash or kill -9 included), so no server is ever left behind.
    /// </summary>
    private void StartWatchdog()
    {
        var pgCtl = Path.Combine(_binDir, "pg_ctl");
        var stop = _asPostgresUser
            ? $"runuser -u postgres -- '{pgCtl}' -D '{DataDirectory}' -m immediate -w stop"
            : $"'{pgCtl}' -D '{DataDirectory}' -m immediate -w stop";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; "
            + $"if [ -d '{DataDirectory}' ]; then {stop} >/dev/null 2>&1; rm -rf '{Directory}'; fi";
        var psi = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var watchdog = Process.Start(psi);
    }

    /// <summary>Stops the server with <c>pg_ctl stop -m immediate</c> and starts it again on the same port and data.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        await CrashAsync(ct);
        await StartAgainAsync(ct);
    }

    /// <summary>Stops the server as a crash would (<c>pg_ctl stop -m immediate</c>), keeping its data and port for <see cref="StartAgainAsync"/>.</summary>
    public Task CrashAsync(CancellationToken ct = default) =>
        RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], ct, _asPostgresUser);

    /// <summary>Starts a server stopped by <see cref="CrashAsync"/> again, on the same port and data.</summary>
    public Task StartAgainAsync(CancellationToken ct = default) => StartServerAsync(ct);

    /// <summary>
    /// Asks the server to shut down (<c>pg_ctl stop -m smart</c>) without waiting: it refuses new connections
    /// while the sessions already open keep it running. The server is not started again.
    /// </summary>
    public Task BeginSmartShutdownAsync(CancellationToken ct = default) =>
        RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", DataDirectory, "-m", "smart", "-W", "stop"], ct, _asPostgresUser);

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            // A test may have shut the server down already, or be shutting it down right now.
            var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
            if (File.Exists(pidFile))
            {
                try
                {
                    await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None, _asPostgresUser);
                }
                catch (InvalidOperationException) when (!File.Exists(pidFile))
                {
                    // It finished shutting down between the check and pg_ctl: stopped either way.
                }
            }
        }
        finally
        {
            TryDelete(Directory);
        }
    }

    private void StopSync()
    {
        if (Volatile.Read(ref _stopped) == 1)
        {
            return;
        }
        try
        {
            StopAsync().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // Process exit: nothing left to report to.
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Runs SQL as the superuser, in its own connection.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres", CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionStringFor(database) + ";Pooling=false");
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<string> FindOrInstallBinariesAsync(Action<string> log, CancellationToken ct)
    {
        if (FindBinaries() is { } found)
        {
            return found;
        }
        if (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            log("PostgreSQL is not installed: installing Debian's postgresql package (apt-get)…");
            var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            await RunAsync("apt-get", ["update", "-qq"], ct, env: env);
            await RunAsync("apt-get", ["install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", "--no-install-recommends", "postgresql"], ct, env: env);
            if (FindBinaries() is { } installed)
            {
                return installed;
            }
        }
        throw new InvalidOperationException(
            "No PostgreSQL server binaries (initdb, pg_ctl) were found. Install them (Debian: apt-get install postgresql) or set PGCHATOPS_PG_BIN to their directory.");
    }

    private static string? FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PGCHATOPS_PG_BIN") is { Length: > 0 } env)
        {
            candidates.Add(env);
        }
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, CancellationToken ct, bool asPostgresUser = false, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo
        {
            FileName = asPostgresUser ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgresUser)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        // pg_ctl start leaves the server holding inherited pipes open: read until the process exits, not to EOF.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            // pg_ctl's server child may hold the pipes: wait for the output briefly, not to EOF.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(2000, CancellationToken.None));
            var err = stderr.IsCompletedSuccessfully ? stderr.Result : "";
            var outText = stdout.IsCompletedSuccessfully ? stdout.Result : "";
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed (exit {process.ExitCode}): {(err + " " + outText).Trim()}");
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
