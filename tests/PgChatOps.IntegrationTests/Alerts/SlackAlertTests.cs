using System.Globalization;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Watch;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Alerts;

/// <summary>Watch alerts as a Slack user sees them: one living message per incident, its buttons, and what clicks do.</summary>
public sealed class SlackAlertTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private static IReadOnlyDictionary<string, string> IdleRule(TestSessions sessions, string target = "*") =>
        WatchHost.Rule("idle-tx", "idle-in-transaction", "1s", filter: $"user={sessions.Role}", target: target, channel: SlackAlertRoom.Channel);

    private static string Text(JsonNode node) =>
        node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static string Pid(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_idle_transaction_gets_one_Slack_message_that_is_updated_in_place_and_resolved_with_its_duration()
    {
        await using var sessions = await TestSessions.CreateAsync("sa");
        await using var room = await SlackAlertRoom.StartAsync([IdleRule(sessions)]);

        var idle = await sessions.OpenIdleInTransactionAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (alert, ts) = await room.AlertAsync(TimeSpan.FromSeconds(10));
        var waited = clock.Elapsed;
        output.WriteLine($"posted after {waited}:\n{Text(alert)}");
        // Due 1 s after the transaction went idle, plus at most two 200 ms intervals (and a second for a busy machine).
        Assert.True(waited < TimeSpan.FromSeconds(1) + 2 * Interval + TimeSpan.FromSeconds(1), $"the alert took {waited}");

        var json = Text(alert);
        Assert.Contains(Pid(idle), json, StringComparison.Ordinal);
        Assert.Contains(sessions.Role, json, StringComparison.Ordinal);
        Assert.Contains("idle in transaction", json, StringComparison.Ordinal);
        Assert.Equal(["pgchatops.confirm", "pgchatops.abort", "pgchatops.snooze"], SlackAlertRoom.ActionIds(alert));
        var (_, confirm) = SlackAlertRoom.Button(alert, "pgchatops.confirm");
        Assert.Equal("Terminate", confirm["text"]!["text"]!.GetValue<string>());
        Assert.True(Guid.TryParse(confirm["value"]!.GetValue<string>(), out _));
        var (_, snooze) = SlackAlertRoom.Button(alert, "pgchatops.snooze");
        Assert.Contains($"watch alert {snooze["value"]!.GetValue<string>()}", json, StringComparison.Ordinal); // the Snooze value is the alert's id

        // Three more samples, each showing a longer idle time: the same message edited, never posted again.
        await SlackAlertRoom.WaitAsync(() => room.Updates(ts).Count >= 3, TimeSpan.FromSeconds(10), "three chat.update calls");
        Assert.Single(room.Alerts());
        Assert.All(room.Updates(ts), u => Assert.Equal(SlackAlertRoom.Channel, u["channel"]!.GetValue<string>()));
        Assert.Contains("pgchatops.snooze", Text(room.Updates(ts)[^1]), StringComparison.Ordinal);
        var before = room.Updates(ts)[^1];

        // The session ends: the message says resolved, for how long, and has no buttons left.
        await idle.Connection.CloseAsync(); // the application rolls back and goes away
        await SlackAlertRoom.WaitAsync(() => room.Updates(ts).Any(u => Text(u).Contains("Resolved after", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the resolution");
        var resolved = room.Updates(ts).Last(u => Text(u).Contains("Resolved after", StringComparison.Ordinal));
        output.WriteLine($"BEFORE RESOLUTION (last chat.update):\n{Text(before)}\nAFTER RESOLUTION (chat.update):\n{Text(resolved)}");
        Assert.Empty(SlackAlertRoom.ActionIds(resolved));
        Assert.Contains("resolved", Text(resolved), StringComparison.Ordinal);
        Assert.Contains(", after ", Text(resolved), StringComparison.Ordinal);
        Assert.Single(room.Alerts());
        // No update lands after the resolution.
        Assert.Contains("Resolved after", Text(room.Updates(ts)[^1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_on_a_Slack_alert_is_refused_for_a_stranger_and_ends_exactly_that_backend_for_an_allowed_user()
    {
        await using var sessions = await TestSessions.CreateAsync("sk");
        await using var room = await SlackAlertRoom.StartAsync([IdleRule(sessions)]);
        var bystander = await sessions.OpenAsync(); // same role, idle but not in a transaction: not in the alert
        var idle = await sessions.OpenIdleInTransactionAsync();
        var (alert, ts) = await room.AlertAsync(TimeSpan.FromSeconds(10));

        // A stranger clicks Terminate: told privately, nothing happens.
        var refusedAt = await room.ClickAsync(SlackAlertRoom.Stranger, alert, ts, "pgchatops.confirm");
        var refusal = await room.ResponseAsync(refusedAt);
        Assert.Equal("ephemeral", refusal["response_type"]!.GetValue<string>());
        Assert.Equal("false", refusal["replace_original"]!.GetValue<string>());
        Assert.Contains("You may not confirm this", Text(refusal), StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(idle));

        // The allowed user clicks Terminate on the same message.
        var clickedAt = await room.ClickAsync(SlackAlertRoom.Allowed, alert, ts, "pgchatops.confirm");
        await SlackAlertRoom.WaitAsync(() => room.ThreadReplies(ts).Count > 0, TimeSpan.FromSeconds(20), "the outcome in the alert's thread");
        var outcome = room.ThreadReplies(ts)[0];
        output.WriteLine("OUTCOME IN THREAD:\n" + Text(outcome));
        Assert.Contains("Terminated 1 of 1 session", Text(outcome), StringComparison.Ordinal);
        Assert.Contains(Pid(idle), Text(outcome), StringComparison.Ordinal);
        Assert.Contains("uallowed", Text(outcome), StringComparison.Ordinal);
        // The alert is not replaced through response_url: the watch resolves it.
        Assert.DoesNotContain(room.Slack.Requests, r => r.Path == clickedAt);
        await SlackAlertRoom.WaitAsync(() => !TestSessions.IsAliveAsync(idle).GetAwaiter().GetResult(), TimeSpan.FromSeconds(10), "the backend to end");
        Assert.True(await TestSessions.IsAliveAsync(bystander));
        await SlackAlertRoom.WaitAsync(() => room.Updates(ts).Any(u => Text(u).Contains("Resolved after", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the resolution");
        Assert.Single(room.Alerts());
    }

    [Fact]
    public async Task Snooze_is_refused_for_a_stranger_from_another_channel_and_for_a_forged_or_malformed_alert_id()
    {
        await using var sessions = await TestSessions.CreateAsync("ss");
        await using var room = await SlackAlertRoom.StartAsync([IdleRule(sessions)]);
        await sessions.OpenIdleInTransactionAsync();
        var (alert, ts) = await room.AlertAsync(TimeSpan.FromSeconds(10));

        async Task<string> RefusedAsync(string user, string? value = null, string channel = SlackAlertRoom.Channel)
        {
            var reply = await room.ResponseAsync(await room.ClickAsync(user, alert, ts, "pgchatops.snooze", value, channel));
            Assert.Equal("ephemeral", reply["response_type"]!.GetValue<string>());
            Assert.Equal("false", reply["replace_original"]!.GetValue<string>());
            return Text(reply);
        }

        Assert.Contains("Not allowed", await RefusedAsync(SlackAlertRoom.Stranger), StringComparison.Ordinal);
        Assert.Contains("another channel", await RefusedAsync(SlackAlertRoom.Allowed, channel: SlackAlertRoom.OtherChannel), StringComparison.Ordinal);
        Assert.Contains("unknown", await RefusedAsync(SlackAlertRoom.Allowed, value: Guid.NewGuid().ToString()), StringComparison.Ordinal);
        Assert.Contains("no valid alert id", await RefusedAsync(SlackAlertRoom.Allowed, value: "'; DROP TABLE x; --"), StringComparison.Ordinal);
        Assert.Empty(room.ThreadReplies(ts));
        Assert.DoesNotContain(room.Updates(ts), u => Text(u).Contains("Snoozed by", StringComparison.Ordinal));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>("SELECT count(*) FROM pgchatops.watch_incidents WHERE snoozed_until IS NOT NULL", room.StateDatabase));

        // The allowed user in the alert's channel: the outcome goes into the thread, the message shows the snooze.
        await room.ClickAsync(SlackAlertRoom.Allowed, alert, ts, "pgchatops.snooze");
        await SlackAlertRoom.WaitAsync(() => room.ThreadReplies(ts).Count > 0, TimeSpan.FromSeconds(10), "the snooze outcome in the thread");
        Assert.Contains("snoozed", Text(room.ThreadReplies(ts)[0]), StringComparison.Ordinal);
        await SlackAlertRoom.WaitAsync(() => room.Updates(ts).Any(u => Text(u).Contains("Snoozed by uallowed", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the message to show the snooze");
        Assert.Single(room.Alerts());
    }
}
