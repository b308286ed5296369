using System.Text;
using PgChatOps.Local;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// The local console chat run in-process as a person would use it: target <c>test</c> on the test server, a fresh
/// state database, lines typed into <see cref="Input"/>, and everything it printed readable at any moment.
/// </summary>
public sealed class ConsoleRun
{
    private readonly StringBuilder _text = new();
    private readonly TextWriter _output;
    private readonly Task<int> _exit;

    private ConsoleRun(string[] args)
    {
        _output = TextWriter.Synchronized(new StringWriter(_text));
        _exit = Task.Run(() => ConsoleChat.RunAsync(args, Input, _output));
    }

    public ScriptedInput Input { get; } = new();

    /// <summary>What the console has printed so far.</summary>
    public string Text
    {
        get
        {
            // TextWriter.Synchronized locks the writer itself: reading under the same lock never sees half a write.
            lock (_output)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the console with <paramref name="settings"/> (<c>Key=Value</c>, as after <c>--</c> on its command line)
    /// on top of target <c>test</c>, a fresh state database and, unless <paramref name="defaultTarget"/> is false,
    /// <c>DefaultTarget=test</c>.
    /// </summary>
    public static async Task<ConsoleRun> StartAsync(IEnumerable<string> settings, bool defaultTarget = true)
    {
        var state = await TestDatabase.CreateDatabaseAsync("state");
        string[] args =
        [
            $"--PgChatOps:Targets:test:ConnectionString={await TestDatabase.ConnectionStringAsync()}",
            $"--PgChatOps:StateConnectionString={await TestDatabase.ConnectionStringAsync(state)}",
            .. defaultTarget ? ["--PgChatOps:DefaultTarget=test"] : Array.Empty<string>(),
            .. settings.Select(s => "--" + s),
        ];
        return new ConsoleRun(args);
    }

    /// <inheritdoc cref="StartAsync(IEnumerable{string}, bool)"/>
    public static Task<ConsoleRun> StartAsync(params string[] settings) => StartAsync(settings, defaultTarget: true);

    /// <summary>Access rule 0 for the console: the given channel (and user, when named) may do what <paramref name="allow"/> lists.</summary>
    public static IEnumerable<string> Rule(string channel, string? user, params string[] allow) =>
    [
        "PgChatOps:Access:Rules:0:Platform=console",
        $"PgChatOps:Access:Rules:0:Channels:0={channel}",
        .. user is null ? [] : new[] { $"PgChatOps:Access:Rules:0:Users:0={user}" },
        .. allow.Select((a, i) => $"PgChatOps:Access:Rules:0:Allow:{i}={a}"),
    ];

    /// <summary>Types <paramref name="line"/> as the answer to prompt <paramref name="prompt"/>, once the console asks for it.</summary>
    public async Task TypeAtAsync(int prompt, string line)
    {
        await Input.WaitForPromptAsync(prompt);
        Input.Type(line);
    }

    /// <summary>Ends the input (Ctrl-D) once prompt <paramref name="prompt"/> is shown, and returns the exit code.</summary>
    public async Task<int> EndAtAsync(int prompt)
    {
        await Input.WaitForPromptAsync(prompt);
        Input.End();
        return await ExitAsync();
    }

    /// <summary>The console's exit code, within 30 seconds.</summary>
    public Task<int> ExitAsync() => _exit.WaitAsync(TimeSpan.FromSeconds(30));
}
