using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Demo;
using PgChatOps.Hosting;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.Local;

/// <summary>
/// The local chat loop (<c>-- console</c>). With no target configured it starts a throwaway PostgreSQL with
/// sample activity, and a rule that lets the console user do everything there. With targets configured and no rule
/// naming the console platform, the local OS user may do everything on every target (and is told so).
/// </summary>
public static class ConsoleChat
{
    /// <summary>
    /// Where the console writes a reply's files (a snapshot, a whole list, a chart); default: <c>pgchatops-&lt;user&gt;</c>
    /// in the temporary directory, readable by this user only (<c>dotnet run</c> starts the app in the project's folder,
    /// which is no place for incident files, and the files hold query text).
    /// </summary>
    public const string FileDirectoryKey = "PgChatOps:Console:FileDirectory";

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output)
    {
        var builder = Host.CreateApplicationBuilder(args);
        // The chat owns standard output: logs go to standard error, warnings and worse only.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.AddPgChatOps();
        builder.Services.AddSingleton<IAlertSink>(new ConsoleAlertSink(output));
        builder.AddPgChatOpsWatch();

        string? trusted = null;
        ThrowawayPostgres? demo = null;
        DemoWorkload? workload = null;
        var configured = builder.Configuration.GetSection("PgChatOps:Targets").GetChildren()
            .Any(t => !string.IsNullOrWhiteSpace(t["ConnectionString"]));
        if (!configured)
        {
            output.WriteLine("No target is configured (PgChatOps:Targets): starting a throwaway PostgreSQL with sample activity…");
            try
            {
                demo = await ThrowawayPostgres.StartAsync(output.WriteLine);
                workload = await DemoWorkload.StartAsync(demo, CancellationToken.None);
            }
            catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException)
            {
                output.WriteLine($"Could not start the demo database: {ex.Message}");
                if (workload is not null)
                {
                    await workload.DisposeAsync();
                }
                if (demo is not null)
                {
                    await demo.DisposeAsync();
                }
                return 1;
            }
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["PgChatOps:Targets:demo:ConnectionString"] = demo.ConnectionString,
                ["PgChatOps:DefaultTarget"] = "demo",
                ["PgChatOps:Access:Rules:900:Platform"] = "console",
                ["PgChatOps:Access:Rules:900:Channels:0"] = "*",
                ["PgChatOps:Access:Rules:900:Targets:0"] = "demo",
                ["PgChatOps:Access:Rules:900:Allow:0"] = "view",
                ["PgChatOps:Access:Rules:900:Allow:1"] = "cancel",
                ["PgChatOps:Access:Rules:900:Allow:2"] = "terminate",
            });
        }
        else if (!builder.Configuration.GetSection("PgChatOps:Access:Rules").GetChildren()
                     .Any(r => string.Equals(r["Platform"]?.Trim(), Platform.Console.Name(), StringComparison.OrdinalIgnoreCase)))
        {
            // The person at this keyboard already holds the connection strings: with no console rule, trust them. A rule
            // that names the console platform (a shared jump host) turns this off, and the rules apply as elsewhere.
            trusted = Environment.UserName;
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["PgChatOps:Access:Rules:901:Platform"] = "console",
                ["PgChatOps:Access:Rules:901:Channels:0"] = "console",
                ["PgChatOps:Access:Rules:901:Users:0"] = trusted,
                ["PgChatOps:Access:Rules:901:Allow:0"] = "view",
                ["PgChatOps:Access:Rules:901:Allow:1"] = "cancel",
                ["PgChatOps:Access:Rules:901:Allow:2"] = "terminate",
            });
        }

        using var host = builder.Build();
        try
        {
            SettingsPreflight.ThrowIfInvalid(host.Services);
            if (trusted is not null)
            {
                output.WriteLine($"No console rule in PgChatOps:Access:Rules: {trusted} may view, cancel and terminate on every configured target from this console.");
            }
            await host.StartAsync();
            var migrator = host.Services.GetRequiredService<StateStoreMigrator>();
            if (await Task.WhenAny(migrator.Ready, Task.Delay(TimeSpan.FromSeconds(10))) != migrator.Ready)
            {
                output.WriteLine($"Warning: the state store is not ready ({migrator.LastError ?? "no answer"}); cancel and kill will refuse until it is.");
            }
            var pipeline = host.Services.GetRequiredService<CommandPipeline>();
            var options = host.Services.GetRequiredService<IOptions<PgChatOpsOptions>>().Value;
            var files = builder.Configuration[FileDirectoryKey] is { Length: > 0 } dir ? dir : DefaultFileDirectory();
            await LoopAsync(pipeline, host.Services.GetRequiredService<WatchDesk>(), options, Path.GetFullPath(files), input, output);
            await host.StopAsync();
        }
        finally
        {
            if (workload is not null)
            {
                await workload.DisposeAsync();
            }
            if (demo is not null)
            {
                await demo.DisposeAsync();
                output.WriteLine("Stopped the throwaway PostgreSQL.");
            }
        }
        return 0;
    }

    private static string DefaultFileDirectory() =>
        Path.Combine(Path.GetTempPath(), $"pgchatops-{string.Concat(Environment.UserName.Where(char.IsAsciiLetterOrDigit))}");

    /// <summary>The directory, created for this user alone where the system has Unix permissions; null with the reason when it is not private.</summary>
    private static string? PrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return null;
        }
        var info = Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return (info.UnixFileMode & others) != 0
            ? $"{directory} is open to other users ({info.UnixFileMode}); set {FileDirectoryKey} to a directory of your own"
            : null;
    }

    /// <summary>
    /// Writes each file of a reply into <paramref name="directory"/> and prints its full path. The name is the core's
    /// (letters, digits, - _ and .), never a path; an existing file is never overwritten.
    /// </summary>
    private static async Task WriteFilesAsync(Reply reply, string directory, TextWriter output)
    {
        foreach (var file in reply.Files)
        {
            try
            {
                // The default folder is made private; a folder the operator named is theirs to choose.
                if (directory != Path.GetFullPath(DefaultFileDirectory()))
                {
                    Directory.CreateDirectory(directory);
                }
                else if (PrivateDirectory(directory) is { } problem)
                {
                    output.WriteLine($"Did not write {file.FileName}: {problem}.");
                    continue;
                }
                var name = Path.GetFileName(file.FileName);
                var path = Path.Combine(directory, name);
                for (var n = 2; File.Exists(path); n++)
                {
                    path = Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(name)}-{n}{Path.GetExtension(name)}");
                }
                await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    await stream.WriteAsync(file.Content);
                }
                output.WriteLine($"Wrote {path} ({file.Length:N0} bytes).");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Could not write {file.FileName} into {directory} ({ex.Message}); set {FileDirectoryKey} to a writable directory.");
            }
        }
    }

    private static async Task LoopAsync(CommandPipeline pipeline, WatchDesk watch, PgChatOpsOptions options, string files, TextReader input, TextWriter output)
    {
        var user = new ChatUser(Environment.UserName, Environment.UserName, []);
        var workspace = Environment.MachineName;
        output.WriteLine($"PgChatOps console on target {options.DefaultTarget ?? options.Targets.Keys.FirstOrDefault()}. Type /pg help, or exit (Ctrl-D) to leave.");
        while (true)
        {
            output.Write("pg> ");
            output.Flush();
            var line = await input.ReadLineAsync();
            if (line is null)
            {
                output.WriteLine();
                return;
            }
            var text = line.Trim();
            if (text.Length == 0)
            {
                continue;
            }
            if (text is "exit" or "quit" or "/exit" or "/quit")
            {
                return;
            }

            // An alert's buttons, typed: confirm <action id>, abort <action id>, snooze <alert id>.
            if (text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var word, var idText] && Guid.TryParse(idText, out var id)
                && word.ToLowerInvariant() is "confirm" or "abort" or "snooze")
            {
                var clicked = word.Equals("snooze", StringComparison.OrdinalIgnoreCase)
                    ? await watch.SnoozeAsync(id, user, new ChatPlace(Platform.Console, workspace, "console"), CancellationToken.None)
                    : await pipeline.HandleClickAsync(new ButtonClick(Platform.Console, workspace, "console", user, id,
                        word.Equals("confirm", StringComparison.OrdinalIgnoreCase) ? ButtonRole.Confirm : ButtonRole.Abort), CancellationToken.None);
                output.WriteLine(TextRenderer.Render(clicked));
                continue;
            }

            var request = new ChatRequest(Platform.Console, workspace, "console", null, user, text);
            var reply = await pipeline.HandleAsync(request, CancellationToken.None);
            output.WriteLine(TextRenderer.Render(reply));
            await WriteFilesAsync(reply, files, output);

            if (reply is { Kind: ReplyKind.Confirmation, ActionId: { } actionId })
            {
                var label = reply.Buttons.First(b => b.Role == ButtonRole.Confirm).Label;
                output.Write($"Type yes to {label.ToLowerInvariant()}, anything else aborts: ");
                output.Flush();
                var answer = (await input.ReadLineAsync())?.Trim();
                var role = string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase) ? ButtonRole.Confirm : ButtonRole.Abort;
                var outcome = await pipeline.HandleClickAsync(new ButtonClick(Platform.Console, workspace, "console", user, actionId, role), CancellationToken.None);
                output.WriteLine(TextRenderer.Render(outcome));
            }
        }
    }
}
