using BenchmarkDotNet.Attributes;
using PgChatOps.Commands;

namespace PgChatOps.Benchmarks;

/// <summary>How long the one shared parser takes for commands people actually type.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    [Benchmark(Baseline = true)]
    public ParseResult Plain_sessions() => CommandParser.Parse("/pg sessions");

    [Benchmark]
    public ParseResult Sessions_with_filters() =>
        CommandParser.Parse("/pg sessions user=app state=idle-in-transaction longer=30s app=metabase* limit=50 sort=user");

    [Benchmark]
    public ParseResult Kill_with_quoted_query() =>
        CommandParser.Parse("/pg kill user=reporting state=active longer=10m query~\"from orders join customers\"");

    [Benchmark]
    public ParseResult Unknown_key_with_suggestion() => CommandParser.Parse("/pg sessions usr=app stat=idle");
}
