using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PgChatOps.Actions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>Issue #10, item 5: expiry is decided by the state store's clock, not by each replica's.</summary>
public sealed class ExpiryClockTests
{
    private static FakeTimeProvider ClockOff(TimeSpan by) => new(DateTimeOffset.UtcNow + by);

    [Fact]
    public async Task Item5_a_replica_whose_clock_runs_fast_does_not_expire_a_fresh_confirmation()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        await using var right = await CoreHost.StartAsync(stateDatabase: state);
        await using var fast = await CoreHost.StartAsync(time: ClockOff(TimeSpan.FromMinutes(10)), stateDatabase: state);
        var preview = await right.SendAsync($"kill {victim.Pid}");
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);

        var expired = await fast.Services.GetRequiredService<ActionService>().ExpireDueAsync(CancellationToken.None);
        var outcome = await right.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.Empty(expired);
        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(victim));
    }

    [Fact]
    public async Task The_store_clock_keeps_its_last_measured_offset_when_the_state_store_is_gone_at_the_next_measurement()
    {
        // After a kill, the reply reads the time once more: a state store lost meanwhile must not turn signals already
        // sent into "Nothing was done", and a clock that runs 10 minutes fast must still be corrected.
        await using var state = await PgChatOps.Demo.ThrowawayPostgres.StartAsync();
        await using var core = await CoreHost.StartAsync(time: ClockOff(TimeSpan.FromMinutes(10)), stateConnectionString: state.ConnectionString);
        var store = core.Services.GetRequiredService<PendingActionStore>();
        store.OffsetLifetime = TimeSpan.FromMilliseconds(200);
        Assert.InRange(await store.NowAsync(CancellationToken.None), DateTimeOffset.UtcNow.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

        await state.CrashAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        Assert.InRange(await store.NowAsync(CancellationToken.None), DateTimeOffset.UtcNow.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Item5_a_confirmation_posted_by_a_replica_whose_clock_runs_slow_lives_its_full_time_to_live_and_no_longer()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var first = await sessions.OpenAsync();
        var second = await sessions.OpenAsync();
        var state = await TestDatabase.CreateDatabaseAsync("state");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var slow = await CoreHost.StartAsync(time: ClockOff(TimeSpan.FromMinutes(-10)), stateDatabase: state);
        await using var right = await CoreHost.StartAsync(time: clock, stateDatabase: state);

        var fresh = await slow.SendAsync($"kill {first.Pid}");
        var confirmed = await right.ClickAsync(fresh.ActionId!.Value, ButtonRole.Confirm);
        var late = await slow.SendAsync($"kill {second.Pid}");
        // Well past the five minutes: the store's time also moved on (in real time) while the first kill ran.
        clock.Advance(TimeSpan.FromMinutes(6));
        var tooLate = await right.ClickAsync(late.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 1", confirmed.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(first));
        Assert.StartsWith("Expired", tooLate.Title, StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(second));
    }
}
