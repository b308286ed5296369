using PgChatOps.Local;
using PgChatOps.Hosting;

namespace PgChatOps;

public sealed partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        switch (verb)
        {
            case "serve":
                return await ServeAsync(rest);
            case "console":
                return await ConsoleChat.RunAsync(rest, Console.In, Console.Out);
            case "discord":
                return await Discord.DiscordCommandRegistration.RunAsync(rest, Console.Out, Console.Error);
            default:
                await Console.Error.WriteLineAsync($"Unknown verb '{verb}'. Use: serve | console");
                return 2;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPgChatOps();
        builder.AddPgChatOpsWeb();
        var app = builder.Build();
        app.MapPgChatOps();
        await app.RunAsync();
        return 0;
    }
}
