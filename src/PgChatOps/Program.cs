using Microsoft.Extensions.Options;
using PgChatOps.Local;
using PgChatOps.Hosting;
using PgChatOps.Watch;

namespace PgChatOps;

public sealed partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        try
        {
            switch (verb)
            {
                case "serve":
                    return await ServeAsync(rest);
                case "console":
                    return await ConsoleChat.RunAsync(rest, Console.In, Console.Out);
                case "check":
                    return await DeploymentCheck.RunAsync(rest, Console.Out);
                case "migrate":
                    return await StateStoreMigrator.RunOnceAsync(rest, Console.Out);
                case "healthcheck":
                    return await HealthProbe.RunAsync(rest, Console.Out);
                case "discord":
                    return await Discord.DiscordCommandRegistration.RunAsync(rest, Console.Out, Console.Error);
                default:
                    await Console.Error.WriteLineAsync($"Unknown verb '{verb}'. Use: serve | console | check | migrate | healthcheck | discord register [--guild <id>]");
                    return 2;
            }
        }
        catch (OptionsValidationException ex)
        {
            // One clear line per broken setting, no stack trace: this is what an operator reads in a crash loop.
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync($"Invalid settings: {failure}");
            }
            return 3;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPgChatOps();
        builder.AddPlatformAlerts();
        builder.AddPgChatOpsWatch();
        builder.AddPgChatOpsWeb();
        var app = builder.Build();
        SettingsPreflight.ThrowIfInvalid(app.Services);
        app.MapPgChatOps();
        await app.RunAsync();
        return 0;
    }
}
