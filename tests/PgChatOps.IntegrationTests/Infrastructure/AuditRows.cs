using Npgsql;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>Reads the audit log of a core's state store directly with SQL, to check what was recorded.</summary>
public static class AuditRows
{
    public static async Task<IReadOnlyList<(string Event, int? Pid, string? Outcome, string Actor)>> ForActionAsync(string stateConnectionString, Guid actionId)
    {
        await using var conn = new NpgsqlConnection(stateConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT event, pid, outcome, actor_id FROM pgchatops.audit_log WHERE action_id = @id ORDER BY id", conn);
        cmd.Parameters.AddWithValue("id", actionId);
        var rows = new List<(string, int?, string?, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            rows.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3)));
        }
        return rows;
    }

    public static async Task<long> CountAsync(string stateConnectionString, string where, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(stateConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM pgchatops.audit_log WHERE {where}", conn);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
