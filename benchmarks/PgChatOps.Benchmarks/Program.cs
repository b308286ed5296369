using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace PgChatOps.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/PgChatOps.Benchmarks</c>: parser throughput (BenchmarkDotNet),
/// then <c>/pg sessions</c> latency with 10 and 280 idle sessions (interleaved loopback rounds), then the ratios.
/// With arguments, only BenchmarkDotNet runs, with those arguments (e.g. <c>-- --filter *SessionsBenchmarks*</c>).
/// <c>-- pileup [rounds]</c> runs only the lock pile-up (<see cref="PileUpCost"/>: 1,000 and 3,000 waiting backends on a
/// throwaway server; needs about 3,100 connections' worth of memory, so it is not part of the default run). Its
/// means are of 60 interleaved rounds unless told otherwise: on a shared machine, fewer let one stall move a mean.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // In process (no generated project to build) and short: the point is the ratios, measured in one run.
        var job = Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithWarmupCount(3)
            .WithIterationCount(8);
        if (args is ["pileup", ..] && args.Length <= 2)
        {
            await using var pileUp = new PileUpCost();
            PrintPileUp(await pileUp.RunAsync(rounds: args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60, Console.Out));
            return 0;
        }
        var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.JoinSummary);
        if (args is ["watch-sampler"] or ["watch-cost"])
        {
            return await WatchSamplerCost.RunAsync(rounds: 200, Console.Out);
        }
        var switcher = BenchmarkSwitcher.FromTypes([typeof(ParserBenchmarks), typeof(SessionsBenchmarks)]);
        if (args.Length > 0)
        {
            var summaries = switcher.Run(args, config).ToList();
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        }

        var parser = switcher.Run(["--filter", "*ParserBenchmarks*"], config).SelectMany(s => s.Reports).ToList();
        await using var latency = new SessionsLatency();
        var result = await latency.RunAsync(rounds: 300, Console.Out);
        PrintRatios(parser, result);
        return parser.All(r => r.Success) ? 0 : 1;
    }

    private static void PrintPileUp(IReadOnlyList<PileUpCost.Point> points)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"Server time per statement in a lock pile-up (pg_stat_statements mean_exec_time, {points[0].Calls} calls each, one run):");
        foreach (var p in points)
        {
            Console.WriteLine($"  {p.Waiters} waiters: /pg blocking {F(p.Bot, "0.00")} ms = {F(p.Bot / p.Bare, "0.00")}× the bare query ({F(p.Bare, "0.00")} ms); "
                + $"before: {F(p.Before, "0.00")} ms = {F(p.Before / p.Bare, "0.00")}×.");
            Console.WriteLine($"    per waiter: blocking {F(1000 * p.Bot / p.Waiters, "0.0")} µs, bare {F(1000 * p.Bare / p.Waiters, "0.0")} µs, before {F(1000 * p.Before / p.Waiters, "0.0")} µs.");
            Console.WriteLine($"    fastest call: blocking {F(p.BotMin, "0.00")} ms = {F(p.BotMin / p.BareMin, "0.00")}× the bare query ({F(p.BareMin, "0.00")} ms); before: {F(p.BeforeMin, "0.00")} ms = {F(p.BeforeMin / p.BareMin, "0.00")}×.");
            Console.WriteLine($"    planning, not part of the above: blocking {F(p.Planning.Bot, "0.00")} ms, bare {F(p.Planning.Bare, "0.00")} ms.");
            Console.WriteLine($"    all three on the bot's pool: {p.PoolBackends} backend(s) handed out{(p.PoolBackends == 1 ? " (the same backend for every statement)" : "; more than one: the ratio mixes backends")}.");
        }
        if (points.Count == 2)
        {
            var (a, b) = (points[0], points[1]);
            Console.WriteLine($"  from {a.Waiters} to {b.Waiters} waiters ({F((double)b.Waiters / a.Waiters, "0.0")}× as many): blocking {F(b.Bot / a.Bot, "0.00")}×, "
                + $"bare {F(b.Bare / a.Bare, "0.00")}×, before {F(b.Before / a.Before, "0.00")}×; "
                + $"blocking's cost above the bare query {F((b.Bot - b.Bare) / (a.Bot - a.Bare), "0.00")}×.");
        }
    }

    private static void PrintRatios(IReadOnlyList<BenchmarkReport> parser, SessionsLatency.Result r)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        double? Median(string method) => parser
            .Where(p => p.Success && p.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)
            .Select(p => p.ResultStatistics?.Median)
            .FirstOrDefault();

        Console.WriteLine();
        Console.WriteLine($"Figures from this one run ({r.Rounds} interleaved rounds; medians):");
        Console.WriteLine($"  /pg sessions, whole command (parse, access, SQL, audit insert, reply, text): {F(r.CommandFew, "0.00")} ms with {SessionsLatency.Few} idle sessions, {F(r.CommandMany, "0.00")} ms with {SessionsLatency.Many}.");
        Console.WriteLine($"  => {SessionsLatency.Many} sessions cost {F(r.CommandMany / r.CommandFew, "0.00")}× the {SessionsLatency.Few}-session latency (p90: {F(r.CommandFewP90, "0.00")} vs {F(r.CommandManyP90, "0.00")} ms, {F(r.CommandManyP90 / r.CommandFewP90, "0.00")}×).");
        Console.WriteLine($"  its one SQL statement alone: {F(r.SqlFew, "0.00")} ms vs {F(r.SqlMany, "0.00")} ms ({F(r.SqlMany / r.SqlFew, "0.00")}×); the SQL is {F(100 * r.SqlFew / r.CommandFew, "0")}% of the command at {SessionsLatency.Few} sessions, {F(100 * r.SqlMany / r.CommandMany, "0")}% at {SessionsLatency.Many}.");
        foreach (var method in new[] { "Plain_sessions", "Sessions_with_filters", "Kill_with_quoted_query", "Unknown_key_with_suggestion" })
        {
            if (Median(method) is { } ns)
            {
                Console.WriteLine($"  parsing {method}: {F(ns / 1000, "0.0")} µs ({F(1e9 / ns, "N0")} a second on one core) = {F(100 * ns / 1e6 / r.CommandFew, "0.000")}% of a sessions command.");
            }
        }
    }
}
