using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PgChatOps.Hosting;

namespace PgChatOps.Discord;

/// <summary>
/// <c>discord register [--guild &lt;id&gt;] [--file &lt;path&gt;]</c>: bulk-overwrites the application's global
/// (or one guild's) commands with <c>manifests/discord/commands.json</c>.
/// </summary>
public static class DiscordCommandRegistration
{
    public const string ManifestPath = "manifests/discord/commands.json";
    private const string Usage = "Usage: discord register [--guild <guild id>] [--file <commands.json>]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] != "register")
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        string? guild = null;
        string? file = null;
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--guild" when i + 1 < args.Length:
                    guild = args[++i];
                    break;
                case "--file" when i + 1 < args.Length:
                    file = args[++i];
                    break;
                case "--guild" or "--file":
                    await error.WriteLineAsync($"{args[i]} needs a value. {Usage}");
                    return 2;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        if (guild is not null && (guild.Length == 0 || !guild.All(char.IsAsciiDigit)))
        {
            await error.WriteLineAsync($"'{guild}' is not a guild id: a guild id is a number (with Developer Mode on, right-click the server and Copy Server ID).");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(rest.ToArray());
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.AddPgChatOps();
        builder.AddDiscord();
        // Registering commands needs the Discord settings only: no target, no state store, no rules.
        builder.Services.RemoveAll<IValidateOptions<PgChatOpsOptions>>();
        using var host = builder.Build();

        var discord = host.Services.GetRequiredService<IOptions<PgChatOpsOptions>>().Value.Discord;
        var missing = new[] { ("ApplicationId", discord.ApplicationId), ("BotToken", discord.BotToken) }
            .Where(k => string.IsNullOrWhiteSpace(k.Item2)).Select(k => $"PgChatOps:Discord:{k.Item1}").ToList();
        if (missing.Count > 0)
        {
            await error.WriteLineAsync($"Not registered: set {string.Join(" and ", missing)} (e.g. the environment variable PgChatOps__Discord__BotToken).");
            return 1;
        }

        var path = file ?? FindManifest(builder.Environment.ContentRootPath);
        if (path is null || !File.Exists(path))
        {
            await error.WriteLineAsync($"Not registered: {file ?? ManifestPath} not found (looked from {builder.Environment.ContentRootPath} upwards and beside the binary).");
            return 1;
        }
        var json = await File.ReadAllTextAsync(path);
        List<string> names;
        try
        {
            using var doc = JsonDocument.Parse(json);
            names = doc.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString() ?? "?").ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            await error.WriteLineAsync($"Not registered: {path} is not a JSON array of commands ({ex.Message}).");
            return 1;
        }

        var api = host.Services.GetRequiredService<DiscordApiClient>();
        var result = await api.OverwriteCommandsAsync(discord.ApplicationId!, guild, json, CancellationToken.None);
        var where = guild is null ? "as global commands" : $"in guild {guild}";
        if (result.IsSuccess)
        {
            await output.WriteLineAsync($"Registered /{string.Join(", /", names)} {where} for application {discord.ApplicationId} (from {path}).");
            return 0;
        }
        await error.WriteLineAsync($"Not registered: Discord answered {result}: {Format(result.Body)}");
        return 1;
    }

    /// <summary>From the content root upwards (a checkout), then beside the binary (a copy of the file).</summary>
    internal static string? FindManifest(string contentRoot)
    {
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ManifestPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        var shipped = Path.Combine(AppContext.BaseDirectory, ManifestPath);
        return File.Exists(shipped) ? shipped : null;
    }

    private static string Format(string body) => Replies.Format.Truncate(body, 300);
}
