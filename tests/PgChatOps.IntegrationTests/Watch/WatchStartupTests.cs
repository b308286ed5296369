using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Watch;

public sealed class WatchStartupTests
{
    [Fact]
    public async Task A_replica_with_a_broken_watch_rule_does_not_start_and_says_which_key_is_wrong()
    {
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var target = await TestDatabase.ConnectionStringAsync();
        var rule = new Dictionary<string, string>(WatchHost.Rule("idle-tx", "idle-in-transaction", "ten minutes")) { ["Interval"] = "30 seconds" };

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = target }, state, [rule], new RecordingAlertSink()));

        Assert.Equal("PgChatOps:Watch:Rules:0:Interval is not a duration: write hh:mm:ss, e.g. 00:05:00", Assert.Single(ex.Failures));
    }

    [Fact]
    public async Task A_replica_with_a_wrong_threshold_does_not_start_and_names_the_right_form()
    {
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var target = await TestDatabase.ConnectionStringAsync();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = target }, state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "ten minutes"), WatchHost.Rule("full", "connections", "90", target: "prod")],
            new RecordingAlertSink()));

        Assert.Equal(
        [
            "PgChatOps:Watch:Rules:0:Threshold is 'ten minutes'; idle-in-transaction takes a duration such as 30s, 10m or 1h30m",
            "PgChatOps:Watch:Rules:1:Target names unknown target 'prod'; use a configured target or * (configured: test)",
            "PgChatOps:Watch:Rules:1:Threshold is '90'; connections takes a share of max_connections such as 90%",
        ], ex.Failures);
    }

    [Fact]
    public async Task Metrics_show_samples_and_the_alerts_firing_by_rule()
    {
        await using var sessions = await TestSessions.CreateAsync("wm");
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var target = await TestDatabase.ConnectionStringAsync();
        var rule = $"idle-{sessions.Role}";
        await using var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() }, state,
            [WatchHost.Rule(rule, "idle-in-transaction", "1s", filter: $"user={sessions.Role}")], sink, run: false);
        await sessions.OpenIdleInTransactionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var samples = 0L;
        var firing = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This host's meter only: other tests' hosts sample their own targets in the same process at the same time.
            if (instrument.Meter.Name == "PgChatOps" && ReferenceEquals(instrument.Meter.Scope, meters)
                && instrument.Name.StartsWith("pgchatops.watch.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "pgchatops.watch.samples" && tags.ToArray().Any(t => t.Key == "outcome" && (string?)t.Value == "ok"))
            {
                Interlocked.Add(ref samples, value);
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "pgchatops.watch.alerts.firing" && tags.ToArray().Any(t => t.Key == "rule" && (string?)t.Value == rule))
            {
                lock (firing)
                {
                    firing.Add(value);
                }
            }
        });
        listener.Start();

        await host.Engine.RunOnceAsync(CancellationToken.None);
        listener.RecordObservableInstruments();

        Assert.Equal(1, Interlocked.Read(ref samples));
        Assert.Equal([1], firing);
    }
}
