using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Operations;

/// <summary>
/// No container engine runs here, so this test replays the Dockerfile's build stage (its COPY and RUN steps, in a
/// scratch directory standing in for the image's filesystem) and then starts the published app as the image would.
/// </summary>
public sealed partial class PublishedAppTests
{
    [Fact]
    public async Task The_app_published_by_the_dockerfiles_commands_serves_health_and_readiness_and_drains_in_flight_requests_on_sigterm()
    {
        var root = LeastPrivilegeRole.RepositoryRoot();
        var image = Directory.CreateTempSubdirectory("pgchatops-image-").FullName;
        try
        {
            var dockerfile = await File.ReadAllTextAsync(Path.Combine(root, "Dockerfile"));
            Assert.Contains("RUN dotnet publish src/PgChatOps -c Release -o /app", dockerfile, StringComparison.Ordinal);
            await ReplayBuildStageAsync(dockerfile, root, image);
            var dll = Path.Combine(image, "app", "PgChatOps.dll");
            Assert.True(File.Exists(dll), "the publish step produced no PgChatOps.dll in /app");
            Assert.True(File.Exists(Path.Combine(image, "app", "appsettings.json")), "appsettings.json is not published beside the app");

            var port = AppProcess.FreePort();
            var url = $"http://127.0.0.1:{port}";
            var state = await TestDatabase.CreateDatabaseAsync("state");
            var pg = await TestDatabase.GetAsync();
            // A target behind a slow network: every readiness probe of it takes 1.2 s, so a request can be in flight (and still
            // well inside the 2-second probe timeout on a loaded machine).
            await using var slow = new SlowProxy(pg.Port, TimeSpan.FromSeconds(1.2));
            await using var app = AppProcess.Start(dll, ["serve", "--urls", url], new Dictionary<string, string>
            {
                ["PgChatOps__Targets__test__ConnectionString"] = await TestDatabase.ConnectionStringAsync(),
                ["PgChatOps__StateConnectionString"] = await TestDatabase.ConnectionStringAsync(state),
                ["PgChatOps__Targets__slow__ConnectionString"] = $"Host=127.0.0.1;Port={slow.Port};Username=postgres;Pooling=false",
                // /readyz reuses a probe's answer for 5 s by default; this test needs the next request to wait on a probe.
                ["PgChatOps__Monitoring__ReadinessCacheFor"] = "00:00:00",
            });
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };

            var health = await PollAsync(http, "/healthz", app);
            var ready = await PollAsync(http, "/readyz", app);
            var probe = await AppProcess.RunAsync(dll, ["healthcheck"], new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url });
            var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.Equal(HttpStatusCode.OK, ready.Status);
            Assert.StartsWith("ready\n", ready.Body, StringComparison.Ordinal);
            Assert.Contains("target test: reachable", ready.Body, StringComparison.Ordinal);
            Assert.Equal(0, probe.ExitCode);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);

            // SIGTERM while a request is in flight: it still gets its full answer, then the process exits 0.
            var inFlight = http.GetAsync(new Uri("/readyz", UriKind.Relative));
            await Task.Delay(500);
            Assert.False(inFlight.IsCompleted);
            using (var term = Process.Start("kill", ["-TERM", app.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var drained = await inFlight;
            Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
            Assert.Contains("target slow: reachable", await drained.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await app.WaitForExitAsync(TimeSpan.FromSeconds(40));
            Assert.Equal(0, app.ExitCode);
            var probeAfter = await AppProcess.RunAsync(dll, ["healthcheck"], new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url });
            Assert.Equal(1, probeAfter.ExitCode);

            // Not a terminal: one JSON event per line.
            var logLines = app.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(logLines);
            Assert.All(logLines, l => Assert.True(JsonDocument.Parse(l).RootElement.TryGetProperty("LogLevel", out _), l));
        }
        finally
        {
            Directory.Delete(image, recursive: true);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> PollAsync(HttpClient http, string path, AppProcess app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        (HttpStatusCode, string) last = (0, "");
        while (DateTime.UtcNow < deadline && !app.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                last = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        Assert.Fail($"{path} never answered 200 (last {last}); app exited: {app.HasExited}\n{app.Stdout}\n{app.Stderr}");
        return last;
    }

    /// <summary>Runs the first stage's WORKDIR, COPY and RUN steps with / mapped to <paramref name="image"/>.</summary>
    private static async Task ReplayBuildStageAsync(string dockerfile, string context, string image)
    {
        var steps = Regex.Replace(dockerfile, @"\\\r?\n", " ").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal))
            .Skip(1)
            .TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(steps, s => s.StartsWith("RUN dotnet publish", StringComparison.Ordinal));
        var workdir = image;
        string Map(string path) => path.StartsWith('/') ? Path.Combine(image, path.TrimStart('/')) : Path.Combine(workdir, path);
        foreach (var step in steps)
        {
            var (instruction, args) = (step[..step.IndexOf(' ')], step[(step.IndexOf(' ') + 1)..].Trim());
            switch (instruction)
            {
                case "WORKDIR":
                    workdir = Map(args);
                    Directory.CreateDirectory(workdir);
                    break;
                case "COPY":
                    var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var dest = Map(parts[^1]);
                    foreach (var source in parts[..^1])
                    {
                        Copy(Path.Combine(context, source), source, dest, parts.Length > 2 || parts[^1].EndsWith('/'));
                    }
                    break;
                case "RUN":
                    var command = WellKnownRoots().Replace(args, m => m.Groups[1].Value + image + m.Groups[2].Value);
                    await RunAsync(command, workdir);
                    break;
                case "ENV" or "ARG" or "LABEL":
                    break;
                default:
                    throw new InvalidOperationException($"The replay does not know Dockerfile instruction {instruction}: teach it, or keep the build stage simple.");
            }
        }
    }

    private static void Copy(string from, string source, string dest, bool destIsDirectory)
    {
        if (Directory.Exists(from))
        {
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                // .dockerignore: **/bin, **/obj.
                if (relative.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
                {
                    continue;
                }
                var target = Path.Combine(dest, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
            return;
        }
        var to = destIsDirectory ? Path.Combine(dest, Path.GetFileName(source)) : dest;
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private static async Task RunAsync(string command, string workdir)
    {
        var psi = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = workdir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"`{command}` failed ({p.ExitCode}):\n{await output}\n{await error}");
    }

    [GeneratedRegex(@"(^|\s)(/(?:app|src)\b)")]
    private static partial Regex WellKnownRoots();
}
