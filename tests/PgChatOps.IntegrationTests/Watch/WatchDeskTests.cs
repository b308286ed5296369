using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>Snooze, <c>/pg watch</c>, <c>/pg history</c> and the fleet view, as people in the channel see them.</summary>
public sealed class WatchDeskTests
{
    private const string Channel = "C-ALERTS";

    private static ChatRequest Ask(string text, string user) =>
        new(Platform.Slack, "T-TEAM", Channel, null, CoreHost.User(user), text);

    private static ChatPlace Place(string channel = Channel) => new(Platform.Slack, "T-TEAM", channel);

    private static async Task<(WatchHost Host, RecordingAlertSink Sink, string State)> StartAsync(
        TestSessions sessions, bool run = true, IReadOnlyDictionary<string, string>? targets = null,
        IReadOnlyList<IReadOnlyDictionary<string, string>>? rules = null, params (string Key, string Value)[] settings)
    {
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var host = await WatchHost.StartAsync(
            targets ?? new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() },
            state,
            rules ?? [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"app={sessions.App("stuck")}")],
            sink,
            run: run,
            settings: WatchAlertFixTests.Access(settings));
        return (host, sink, state);
    }

    [Fact]
    public async Task Snooze_by_a_viewer_mutes_the_alert_for_an_hour_says_who_and_until_when_and_a_stranger_cannot()
    {
        await using var sessions = await TestSessions.CreateAsync("wz");
        var (host, sink, state) = await StartAsync(sessions);
        await using var _ = host;
        await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var alert = Assert.Single(sink.Opened).Alert;

        var stranger = await host.Desk.SnoozeAsync(alert.Id, CoreHost.User("U-STRANGER"), Place(), CancellationToken.None);
        Assert.Equal(ReplyKind.Denied, stranger.Kind);
        var elsewhere = await host.Desk.SnoozeAsync(alert.Id, CoreHost.User("U-ONCALL"), Place("C-OTHER"), CancellationToken.None);
        Assert.Contains("another channel", elsewhere.Title, StringComparison.Ordinal);
        Assert.DoesNotContain(sink.Updated, u => u.Alert.SnoozedBy is not null);

        var before = DateTimeOffset.UtcNow;
        var reply = await host.Desk.SnoozeAsync(alert.Id, CoreHost.User("U-VIEWER"), Place(), CancellationToken.None);

        Assert.Equal(ReplyKind.Outcome, reply.Kind);
        Assert.StartsWith("U-VIEWER snoozed 'idle-tx' on test until ", reply.Title, StringComparison.Ordinal);
        var snoozed = Assert.Single(sink.Updated, u => u.Alert.SnoozedBy is not null);
        Assert.Equal(sink.Opened[0].MessageRef, snoozed.MessageRef);
        Assert.InRange(snoozed.Alert.SnoozedUntil!.Value, before.AddMinutes(59), before.AddMinutes(61));
        Assert.Contains(snoozed.Alert.Message.Notes, n => n.StartsWith("Snoozed by U-VIEWER until", StringComparison.Ordinal));

        // A second stuck session changes what the alert would show: while snoozed, nothing is posted.
        var calls = sink.Calls.Count;
        await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(calls, sink.Calls.Count);

        var outcomes = await AuditRows.CountAsync(state, "event = 'snoozed' AND outcome = 'snoozed' AND actor_id = 'U-VIEWER'");
        Assert.Equal(1, outcomes);
        Assert.Equal(2, await AuditRows.CountAsync(state, "event = 'snoozed' AND outcome IN ('not_allowed', 'wrong_channel')"));

        var listing = await host.Pipeline.HandleAsync(Ask("watch", "U-VIEWER"), CancellationToken.None);
        Assert.Equal("firing (1), snoozed", Assert.Single(listing.Table!.Rows)[^1]);
    }

    [Fact]
    public async Task A_snoozed_incident_that_clears_and_fires_again_within_the_hour_stays_quiet()
    {
        await using var sessions = await TestSessions.CreateAsync("wy");
        var (host, sink, _) = await StartAsync(sessions, run: false);
        await using var __ = host;
        var first = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));
        var alert = Assert.Single(sink.Opened).Alert;
        await host.Desk.SnoozeAsync(alert.Id, CoreHost.User("U-VIEWER"), Place(), CancellationToken.None);

        await TestSessions.CloseAndWaitGoneAsync(first); // sample once the backend is gone, not just after the goodbye
        Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));
        Assert.Single(sink.Resolved);

        await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));
        Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));

        Assert.Single(sink.Opened);
        var listing = await host.Pipeline.HandleAsync(Ask("watch", "U-VIEWER"), CancellationToken.None);
        Assert.Equal("firing (1), snoozed", Assert.Single(listing.Table!.Rows)[^1]);
        Assert.Contains(listing.Notes, n => n.Contains("snoozed by U-VIEWER until", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_lists_the_rules_state_and_open_incidents_only_on_targets_the_asker_may_view()
    {
        await using var sessions = await TestSessions.CreateAsync("wl");
        var cs = await TestDatabase.ConnectionStringAsync();
        var (host, sink, _) = await StartAsync(sessions,
            targets: new Dictionary<string, string> { ["test"] = cs, ["secret"] = cs },
            rules:
            [
                WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"app={sessions.App("stuck")}", target: "test"),
                WatchHost.Rule("secret-idle", "idle-in-transaction", "1s", filter: $"app={sessions.App("stuck")}", target: "secret", interval: "00:00:05"),
            ],
            settings: [("Access:Rules:1:Targets:0", "test")]);
        await using var _ = host;
        await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Select(o => o.Alert.Target).Distinct().Count() == 2, TimeSpan.FromSeconds(15), "alerts on both targets");

        var viewer = await host.Pipeline.HandleAsync(Ask("watch", "U-VIEWER"), CancellationToken.None);

        Assert.Equal(["rule", "target", "condition", "threshold", "alerts to", "every", "state"], viewer.Table!.Columns);
        var row = Assert.Single(viewer.Table.Rows);
        Assert.Equal(["idle-tx", "test", $"idle-in-transaction app={sessions.App("stuck")}", "1s", "slack C-ALERTS"], row.Take(5));
        Assert.Equal("firing (1)", row[^1]);
        Assert.Contains(viewer.Notes, n => n.Contains("idle in transaction on test", StringComparison.Ordinal));
        Assert.DoesNotContain(viewer.Notes, n => n.Contains("secret", StringComparison.Ordinal));

        var oncall = await host.Pipeline.HandleAsync(Ask("watch", "U-ONCALL"), CancellationToken.None);
        Assert.Equal(2, oncall.Table!.Rows.Count);

        var stranger = await host.Pipeline.HandleAsync(Ask("watch", "U-STRANGER"), CancellationToken.None);
        Assert.Equal(ReplyKind.Denied, stranger.Kind);
        Assert.Null(stranger.Table);
    }

    [Fact]
    public async Task History_answers_with_a_PNG_chart_that_is_not_blank_and_a_one_line_summary()
    {
        await using var sessions = await TestSessions.CreateAsync("wh");
        var (host, _, _) = await StartAsync(sessions, run: false);
        await using var __ = host;
        // The last hour as the leader recorded it, one sample a minute; then the live samples of a stuck session.
        var history = host.Services.GetRequiredService<WatchHistory>();
        var now = DateTimeOffset.UtcNow;
        for (var minute = 59; minute >= 1; minute--)
        {
            var byState = new Dictionary<string, int> { ["active"] = 5 + minute % 7, ["idle"] = 20, ["idle in transaction"] = minute % 5 };
            await history.WriteAsync(new TargetSample("test", byState.Values.Sum(), 100, byState, minute % 3, TimeSpan.FromSeconds(minute), null, [], true),
                now.AddMinutes(-minute), CancellationToken.None);
        }
        await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));
            await Task.Delay(TimeSpan.FromMilliseconds(600));
        }

        var reply = await host.Pipeline.HandleAsync(Ask("history last=1h", "U-VIEWER"), CancellationToken.None);

        Assert.Equal(ReplyKind.Info, reply.Kind);
        Assert.StartsWith("test, last 1h: peak 35 connections at ", reply.Title, StringComparison.Ordinal);
        Assert.Contains("1 incident", reply.Title, StringComparison.Ordinal);
        var file = Assert.Single(reply.Files);
        Assert.Equal("image/png", file.ContentType);
        Assert.EndsWith(".png", file.FileName, StringComparison.Ordinal);
        // The stacked connections fill a good part of the plot, not just axes and labels.
        ChartPixels.AssertNotBlank(file.Content.ToArray());

        var stranger = await host.Pipeline.HandleAsync(Ask("history", "U-STRANGER"), CancellationToken.None);
        Assert.Equal(ReplyKind.Denied, stranger.Kind);
        Assert.Empty(stranger.Files);
        var bad = await host.Pipeline.HandleAsync(Ask("history last=2h", "U-VIEWER"), CancellationToken.None);
        Assert.Contains("use 1h, 6h, 24h or 7d", bad.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fleet_view_orders_five_targets_worst_first_and_shows_unreachable_ones_as_lines()
    {
        await using var sessions = await TestSessions.CreateAsync("wv");
        await using var hung = TcpRelay.Hang();
        var pg = await TestDatabase.GetAsync();
        var cs = await TestDatabase.ConnectionStringAsync();
        var closed = new NpgsqlConnectionStringBuilder(cs) { Host = "127.0.0.1", Port = ClosedPort(), Timeout = 3 }.ConnectionString;
        var (host, _, _) = await StartAsync(sessions, run: false,
            targets: new Dictionary<string, string>
            {
                ["prod-a"] = cs,
                ["prod-b"] = cs,
                ["prod-c"] = cs,
                ["prod-hung"] = hung.ConnectionString(pg.ConnectionString),
                ["prod-closed"] = closed,
                ["prod-secret"] = cs,
                ["stage"] = cs,
            },
            rules: [WatchHost.Rule("idle-tx", "idle-in-transaction", "1h", target: "prod-a", interval: "00:10:00")],
            settings: [("Access:Rules:1:Targets:0", "prod-a"), ("Access:Rules:1:Targets:1", "prod-b"), ("Access:Rules:1:Targets:2", "prod-c"),
                ("Access:Rules:1:Targets:3", "prod-hung"), ("Access:Rules:1:Targets:4", "prod-closed"), ("Access:Rules:1:Targets:5", "stage")]);
        await using var __ = host;
        // Open incidents make prod-b (two) worse than prod-c (one) worse than prod-a (none): the same server answers for all three.
        var store = host.Services.GetRequiredService<IncidentStore>();
        foreach (var (target, cause) in new[] { ("prod-b", "x"), ("prod-b", "y"), ("prod-c", "x") })
        {
            var rule = new WatchRule("seeded", target, WatchCondition.Connections, "slack", Channel, TimeSpan.FromSeconds(30)) { Percent = 1, ThresholdText = "1%" };
            var finding = new WatchFinding(rule, target, cause, "f") { Title = $"seeded {cause}" };
            Assert.True(await store.TryOpenAsync(finding, finding.ToAlert(Guid.NewGuid(), DateTimeOffset.UtcNow), CancellationToken.None));
        }

        var started = DateTime.UtcNow;
        var reply = await host.Pipeline.HandleAsync(Ask("summary target=prod-*", "U-VIEWER"), CancellationToken.None);
        var took = DateTime.UtcNow - started;

        Assert.Equal(ReplyKind.Info, reply.Kind);
        Assert.StartsWith("5 targets matching prod-*, worst first: 2 not answering", reply.Title, StringComparison.Ordinal);
        var rows = reply.Table!.Rows;
        Assert.Equal(["prod-closed", "prod-hung", "prod-b", "prod-c", "prod-a"], rows.Select(r => r[0]));
        Assert.StartsWith("unreachable: ", rows[0][^1], StringComparison.Ordinal);
        Assert.Equal("did not answer within 5 seconds", rows[1][^1]);
        Assert.Equal(["2", "1", "0"], rows.Skip(2).Select(r => r[^2]));
        Assert.All(rows.Skip(2), r => Assert.Equal("ok", r[^1]));
        Assert.All(rows.Skip(2), r => Assert.Matches(@"^\d+/\d+$", r[1]));
        // In parallel: the hung target's timeout is paid once, not added to the others.
        Assert.True(took < TimeSpan.FromSeconds(9), $"the fleet view took {took}");
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
