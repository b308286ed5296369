using System.Threading.Channels;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>A console's standard input that the test types into line by line, and that waits like a person would.</summary>
public sealed class ScriptedInput : TextReader
{
    private readonly Channel<string?> _lines = Channel.CreateUnbounded<string?>();
    private int _reads;

    /// <summary>How many lines the program has asked for so far.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public void Type(string line) => _lines.Writer.TryWrite(line);

    /// <summary>Ctrl-D.</summary>
    public void End() => _lines.Writer.TryWrite(null);

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return await _lines.Reader.ReadAsync(cancellationToken);
    }

    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

    public override string? ReadLine() => ReadLineAsync().GetAwaiter().GetResult();

    /// <summary>Waits until the program has asked for its n-th line (it printed its answer to the previous one).</summary>
    public async Task WaitForPromptAsync(int n)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Reads < n)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The console asked for {Reads} lines, not {n}.");
            }
            await Task.Delay(20);
        }
    }
}
