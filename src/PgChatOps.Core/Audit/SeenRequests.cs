using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Commands;

namespace PgChatOps.Audit;

/// <summary>
/// Remembers, in the state store that every replica shares, which platform deliveries were already handled: a
/// unique key makes the first insert win, so a replayed Discord interaction or Slack slash command is handled once
/// however many replicas receive it. Rows older than <see cref="Keep"/> are pruned: by then the request's
/// signature timestamp is stale, and a replay is refused with 401 before it gets here.
/// </summary>
public sealed class SeenRequests(StateStore store, TimeProvider time)
{
    /// <summary>Longer than any signature window (Discord's is 15 minutes either way, Slack's 5).</summary>
    public static readonly TimeSpan Keep = TimeSpan.FromHours(1);

    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);
    private long _nextPrune;

    /// <summary>True when this is the first time any replica sees the delivery; false for a replay.</summary>
    public async Task<bool> FirstTimeAsync(Platform platform, string deliveryId, CancellationToken ct)
    {
        try
        {
            // The pool only, never the lifeline: in a storm the lifeline is for actions and their audit records,
            // and this check fails open (the pipeline lets the request through when it cannot be written).
            await using var conn = await store.Pool.OpenConnectionAsync(ct);
            await PruneAsync(conn, ct);
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO pgchatops.seen_requests (platform, request_id) VALUES (@platform, @id)
                ON CONFLICT (platform, request_id) DO NOTHING
                """, conn);
            cmd.Parameters.AddWithValue("platform", platform.Name());
            cmd.Parameters.AddWithValue("id", deliveryId);
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new StateStoreUnavailableException($"the record of handled requests could not be written because {DatabaseErrors.Cause(ex)}", ex);
        }
    }

    private async Task PruneAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var now = time.GetTimestamp();
        var due = Interlocked.Read(ref _nextPrune);
        if (now < due || Interlocked.CompareExchange(ref _nextPrune, now + (long)(PruneEvery.TotalSeconds * time.TimestampFrequency), due) != due)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand("DELETE FROM pgchatops.seen_requests WHERE seen_at < clock_timestamp() - @keep", conn);
        cmd.Parameters.AddWithValue("keep", Keep);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
