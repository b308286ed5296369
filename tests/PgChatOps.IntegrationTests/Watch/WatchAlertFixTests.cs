using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>
/// An alert's fixes are ordinary confirmations: the button in the alert is the preview, and a click goes through the
/// same access rules, approver check, identity binding and audit as <c>/pg kill</c>.
/// </summary>
public sealed class WatchAlertFixTests
{
    private const string Channel = "C-ALERTS";
    private const string OnCall = "U-ONCALL";
    private const string Viewer = "U-VIEWER";

    internal static Dictionary<string, string> Access(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            // On-call may do everything in the alerts channel and in another one.
            ["Access:Rules:0:Platform"] = "slack",
            ["Access:Rules:0:Channels:0"] = Channel,
            ["Access:Rules:0:Channels:1"] = "C-OTHER",
            ["Access:Rules:0:Users:0"] = OnCall,
            ["Access:Rules:0:Allow:0"] = "view",
            ["Access:Rules:0:Allow:1"] = "cancel",
            ["Access:Rules:0:Allow:2"] = "terminate",
            // The viewer may only look.
            ["Access:Rules:1:Platform"] = "slack",
            ["Access:Rules:1:Channels:0"] = Channel,
            ["Access:Rules:1:Users:0"] = Viewer,
            ["Access:Rules:1:Allow:0"] = "view",
        };
        foreach (var (k, v) in more)
        {
            settings[k] = v;
        }
        return settings;
    }

    private static async Task<(WatchHost Host, RecordingAlertSink Sink, string State)> StartAsync(
        TestSessions sessions, bool run = true, params (string Key, string Value)[] settings)
    {
        var sink = new RecordingAlertSink();
        var state = await TestDatabase.ConnectionStringAsync(await TestDatabase.CreateDatabaseAsync("state"));
        var host = await WatchHost.StartAsync(
            new Dictionary<string, string> { ["test"] = await TestDatabase.ConnectionStringAsync() },
            state,
            [WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"app={sessions.App("stuck")}")],
            sink,
            run: run,
            settings: Access(settings));
        return (host, sink, state);
    }

    private static Task<Reply> ClickAsync(WatchHost host, Guid actionId, string user, string channel = Channel, ButtonRole role = ButtonRole.Confirm) =>
        host.Pipeline.HandleClickAsync(new ButtonClick(Platform.Slack, "T-TEAM", channel, CoreHost.User(user), actionId, role), CancellationToken.None);

    private static ReplyButton Confirm(Alert alert, string label = "Terminate") =>
        Assert.Single(alert.Message.Buttons, b => b.Role == ButtonRole.Confirm && b.Label == label);

    [Fact]
    public async Task An_idle_transaction_alert_arrives_within_two_intervals_with_a_Terminate_confirmation_asked_for_by_the_rule()
    {
        await using var sessions = await TestSessions.CreateAsync("wf");
        var (host, sink, state) = await StartAsync(sessions);
        await using var _ = host;

        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        var waited = await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert for the idle transaction");
        Assert.True(waited < TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(2 * 200) + TimeSpan.FromSeconds(1), $"the alert took {waited}");

        var alert = Assert.Single(sink.Opened).Alert;
        var message = alert.Message;
        Assert.Equal(ReplyKind.Confirmation, message.Kind);
        var confirm = Confirm(alert);
        Assert.True(confirm.Danger);
        Assert.Contains(message.Buttons, b => b.Role == ButtonRole.Abort && b.ActionId == confirm.ActionId);
        Assert.Equal(confirm.ActionId, message.ActionId);
        Assert.Equal(alert.Id, alert.Snooze!.AlertId);
        Assert.Equal($"pgchatops.snooze:{alert.Id}", alert.Snooze.DiscordCustomId);
        var row = Assert.Single(message.Table!.Rows);
        Assert.Equal((stuck.Pid.ToString(), "terminate"), (row[0], row[^1]));

        // The pending action is an ordinary one: bound to the alert's channel and to the backend shown, asked for by the rule.
        var action = (await host.Services.GetRequiredService<PendingActionStore>().FindAsync(confirm.ActionId, CancellationToken.None))!;
        Assert.Equal((Platform.Slack, Channel, "test", ActionKind.Terminate), (action.Platform, action.Channel, action.Target, action.Kind));
        Assert.Equal((stuck.Pid, stuck.BackendStart), (Assert.Single(action.Sessions).Pid, action.Sessions[0].BackendStart));
        Assert.Equal("watch rule idle-tx", action.RequestedByName);
        Assert.Contains(await AuditRows.ForActionAsync(state, confirm.ActionId), r => r.Event == "confirmation" && r.Actor == "pgchatops:watch:idle-tx");
    }

    [Fact]
    public async Task Clicking_Terminate_as_an_allowed_user_ends_exactly_that_backend_and_the_incident_resolves()
    {
        await using var sessions = await TestSessions.CreateAsync("wk");
        var (host, sink, state) = await StartAsync(sessions);
        await using var _ = host;
        var bystander = await sessions.OpenIdleInTransactionAsync(sessions.App("bystander"));
        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var confirm = Confirm(Assert.Single(sink.Opened).Alert);

        var outcome = await ClickAsync(host, confirm.ActionId, OnCall);

        Assert.StartsWith("Terminated 1 of 1 session on test", outcome.Title, StringComparison.Ordinal);
        Assert.Contains(outcome.Fields, f => f is { Name: "requested by", Value: "watch rule idle-tx" });
        Assert.Contains(outcome.Fields, f => f is { Name: "confirmed by", Value: OnCall });
        Assert.False(await TestSessions.IsAliveAsync(stuck));
        Assert.True(await TestSessions.IsAliveAsync(bystander), "a session the alert did not name must never be touched");
        Assert.Contains(await AuditRows.ForActionAsync(state, confirm.ActionId), r => r is { Event: "executed", Outcome: "terminated" } && r.Pid == stuck.Pid && r.Actor == OnCall);
        await sink.WaitForAsync(s => s.Resolved.Count > 0, TimeSpan.FromSeconds(10), "the incident to resolve");
        Assert.Empty(Assert.Single(sink.Resolved).Alert.Message.Buttons);
    }

    [Fact]
    public async Task With_more_sessions_than_the_alert_names_Terminate_acts_on_the_named_ones_only()
    {
        await using var sessions = await TestSessions.CreateAsync("wn");
        var (host, sink, state) = await StartAsync(sessions);
        await using var _ = host;
        var stuck = new List<TestSession>();
        for (var i = 0; i < WatchEvaluator.MaxSessionsNamed + 2; i++)
        {
            stuck.Add(await sessions.OpenIdleInTransactionAsync(sessions.App("stuck")));
        }
        // The alert may open while the sessions are still being opened; it is then updated with fresh buttons.
        bool Complete(RecordingAlertSink.SinkCall c) => c.Alert.SessionCount == stuck.Count && c.Alert.FixActions.Count > 0;
        await sink.WaitForAsync(s => s.Opened.Concat(s.Updated).Any(Complete), TimeSpan.FromSeconds(10), "an alert counting every session");
        var alert = sink.Opened.Concat(sink.Updated).Last(Complete).Alert;
        var named = alert.Message.Table!.Rows.Select(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Equal(WatchEvaluator.MaxSessionsNamed, named.Count);
        var confirm = Confirm(alert, $"Terminate these {WatchEvaluator.MaxSessionsNamed}");

        var outcome = await ClickAsync(host, confirm.ActionId, OnCall);

        Assert.StartsWith($"Terminated {WatchEvaluator.MaxSessionsNamed} of {WatchEvaluator.MaxSessionsNamed} sessions", outcome.Title, StringComparison.Ordinal);
        foreach (var s in stuck)
        {
            // Only what the alert showed is acted on: the two sessions beyond its list stay.
            Assert.Equal(!named.Contains(s.Pid), await TestSessions.IsAliveAsync(s));
        }
    }

    [Fact]
    public async Task A_stranger_a_viewer_and_another_channel_are_refused()
    {
        await using var sessions = await TestSessions.CreateAsync("ws");
        var (host, sink, state) = await StartAsync(sessions);
        await using var _ = host;
        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var id = Confirm(Assert.Single(sink.Opened).Alert).ActionId;

        var stranger = await ClickAsync(host, id, "U-STRANGER");
        Assert.Equal(ReplyKind.Error, stranger.Kind);
        Assert.Contains("You may not confirm this", stranger.Title, StringComparison.Ordinal);

        var viewer = await ClickAsync(host, id, Viewer);
        Assert.Contains("'terminate' permission", viewer.Title, StringComparison.Ordinal);

        var elsewhere = await ClickAsync(host, id, OnCall, channel: "C-OTHER");
        Assert.Contains("belongs to another channel", elsewhere.Title, StringComparison.Ordinal);

        Assert.True(await TestSessions.IsAliveAsync(stuck));
        var refused = (await AuditRows.ForActionAsync(state, id)).Where(r => r.Event == "refused").Select(r => r.Outcome).ToList();
        Assert.Equal(["not_allowed", "not_allowed", "wrong_channel"], refused);

        var outcome = await ClickAsync(host, id, OnCall);
        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(stuck));
    }

    [Fact]
    public async Task With_four_eyes_an_alert_offers_no_one_click_fix_and_says_how_to_ask_for_one()
    {
        await using var sessions = await TestSessions.CreateAsync("w4");
        var (host, sink, _) = await StartAsync(sessions, true, ("Access:RequireDistinctApprover", "true"));
        await using var __ = host;
        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var alert = Assert.Single(sink.Opened).Alert;

        // The rule cannot be the first pair of eyes: one person's click would be the only one.
        Assert.Empty(alert.FixActions);
        Assert.DoesNotContain(alert.Message.Buttons, b => b.Role == ButtonRole.Confirm);
        Assert.Contains(alert.Message.Notes, n => n.Contains($"/pg kill {stuck.Pid}", StringComparison.Ordinal) && n.Contains("someone else", StringComparison.Ordinal));
        Assert.NotNull(alert.Snooze);
        Assert.True(await TestSessions.IsAliveAsync(stuck));
    }

    [Fact]
    public async Task A_click_after_the_backend_shown_was_replaced_under_the_same_pid_never_touches_the_new_one()
    {
        await using var sessions = await TestSessions.CreateAsync("wp");
        var (host, sink, state) = await StartAsync(sessions);
        await using var _ = host;
        var live = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var id = Confirm(Assert.Single(sink.Opened).Alert).ActionId;

        // The alert showed a backend that has since ended, and its pid now belongs to the live one: the same pid with
        // another start time. (Forcing the server to reuse a pid is not possible from a test; this is what it looks like.)
        await using (var conn = new NpgsqlConnection(state))
        {
            await conn.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT sessions::text FROM pgchatops.pending_actions WHERE id = @id", conn);
            read.Parameters.AddWithValue("id", id);
            var json = JsonSerializerOptionsForState();
            var planned = JsonSerializer.Deserialize<List<PlannedSession>>((string)(await read.ExecuteScalarAsync())!, json)!;
            var shown = planned.Select(p => p with { BackendStart = p.BackendStart.AddSeconds(-30) }).ToList();
            await using var write = new NpgsqlCommand("UPDATE pgchatops.pending_actions SET sessions = @s::jsonb WHERE id = @id", conn);
            write.Parameters.AddWithValue("id", id);
            write.Parameters.AddWithValue("s", JsonSerializer.Serialize(shown, json));
            await write.ExecuteNonQueryAsync();
        }

        var outcome = await ClickAsync(host, id, OnCall);

        Assert.StartsWith("Terminated 0 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(live), "the backend that now holds the pid was never shown, and must live");
        Assert.Contains(await AuditRows.ForActionAsync(state, id), r => r is { Event: "executed", Outcome: Outcomes.Reused });

        // And a fix is never even offered for a pid whose backend is not the one the alert saw.
        var stale = new BackendIdentity(live.Pid, live.BackendStart.AddSeconds(-30));
        var preview = await host.Services.GetRequiredService<ActionService>().PreviewAsync(
            new ChatRequest(Platform.Slack, PendingAction.AnyWorkspace, Channel, null, AlertFixes.Requester("idle-tx"), $"kill {live.Pid} target=test"),
            CommandParser.Parse($"kill {live.Pid} target=test").Command!, "test", [stale], CancellationToken.None);
        Assert.Null(preview.ActionId);
        Assert.Contains("no longer the session that was shown", preview.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protected_session_gets_an_alert_without_a_fix_button_that_says_why_and_is_not_previewed_again_every_sample()
    {
        await using var sessions = await TestSessions.CreateAsync("wn");
        var (host, sink, state) = await StartAsync(sessions, run: false);
        await using var _ = host;
        var admin = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"), user: "postgres");
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await host.Engine.RunOnceAsync(CancellationToken.None));
            await Task.Delay(TimeSpan.FromSeconds(1.1));
        }

        var alert = sink.Calls[^1].Alert;
        Assert.Equal(admin.Pid, Assert.Single(alert.Sessions).Pid);
        Assert.Empty(alert.Message.Buttons);
        Assert.NotNull(alert.Snooze);
        Assert.Contains(alert.Message.Notes, n => n.StartsWith("Terminate: not offered.", StringComparison.Ordinal) && n.Contains("superuser session (postgres)", StringComparison.Ordinal));
        Assert.Equal(1, await AuditRows.CountAsync(state, "event = 'request' AND outcome = 'nothing_to_do' AND actor_id = 'pgchatops:watch:idle-tx'"));
        Assert.True(await TestSessions.IsAliveAsync(admin));
    }

    private static JsonSerializerOptions JsonSerializerOptionsForState() => new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_alert_that_outlives_its_confirmation_gets_fresh_buttons_in_place_and_they_work()
    {
        await using var sessions = await TestSessions.CreateAsync("wx");
        var (host, sink, _) = await StartAsync(sessions, true, ("Confirmation:TimeToLive", "00:00:10"));
        await using var __ = host;
        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var opened = Assert.Single(sink.Opened);
        var first = Confirm(opened.Alert).ActionId;

        // Renewed when half the time to live is left: about 5 s after it was posted, the same message, a new action.
        await sink.WaitForAsync(s => s.Updated.Any(u => u.Alert.FixActions.Any(f => f.ActionId != first)), TimeSpan.FromSeconds(9), "fresh fix buttons");
        var renewed = sink.Updated.First(u => u.Alert.FixActions.Any(f => f.ActionId != first));
        Assert.Equal(opened.MessageRef, renewed.MessageRef);
        Assert.Single(sink.Opened);
        var second = Confirm(renewed.Alert).ActionId;
        Assert.True(renewed.Alert.FixActions[0].ExpiresAt > opened.Alert.FixActions[0].ExpiresAt);
        Assert.Equal((stuck.Pid, stuck.BackendStart), (renewed.Alert.FixActions[0].Sessions[0].Pid, renewed.Alert.FixActions[0].Sessions[0].BackendStart));

        // The replaced button no longer works, though its own time has not run out: the message does not show it any more.
        var stale = await ClickAsync(host, first, OnCall);
        Assert.NotEqual(ReplyKind.Confirmation, stale.Kind);
        Assert.DoesNotContain("Terminated", stale.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(stuck));
        var withdrawn = (await host.Services.GetRequiredService<PendingActionStore>().FindAsync(first, CancellationToken.None))!;
        Assert.Equal(ActionStatus.Expired, withdrawn.Status);
        Assert.True(withdrawn.ExpiresAt > DateTimeOffset.UtcNow, "withdrawn before its own expiry");

        var outcome = await ClickAsync(host, second, OnCall);
        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(stuck));

        // Resolved: the last buttons are withdrawn too.
        await sink.WaitForAsync(s => s.Resolved.Count > 0, TimeSpan.FromSeconds(10), "the incident to resolve");
    }

    [Fact]
    public async Task A_resolved_alerts_buttons_are_withdrawn_at_once()
    {
        await using var sessions = await TestSessions.CreateAsync("wr");
        var (host, sink, _) = await StartAsync(sessions);
        await using var __ = host;
        var stuck = await sessions.OpenIdleInTransactionAsync(sessions.App("stuck"));
        await sink.WaitForAsync(s => s.Opened.Count > 0, TimeSpan.FromSeconds(10), "an alert");
        var id = Confirm(Assert.Single(sink.Opened).Alert).ActionId;

        await stuck.Connection.CloseAsync(); // the forgotten transaction ends on its own
        await sink.WaitForAsync(s => s.Resolved.Count > 0, TimeSpan.FromSeconds(10), "the incident to resolve");

        var action = (await host.Services.GetRequiredService<PendingActionStore>().FindAsync(id, CancellationToken.None))!;
        Assert.Equal(ActionStatus.Expired, action.Status);
        var late = await ClickAsync(host, id, OnCall);
        Assert.DoesNotContain("Terminated", late.Title, StringComparison.Ordinal);
        Assert.StartsWith("Withdrawn:", late.Title, StringComparison.Ordinal);
    }
}
