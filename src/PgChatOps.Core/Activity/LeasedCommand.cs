using Npgsql;

namespace PgChatOps.Activity;

/// <summary>A command on a leased connection; disposing it gives the connection back.</summary>
internal sealed class LeasedCommand : NpgsqlCommand
{
    private readonly ConnectionLease _lease;

    public LeasedCommand(string sql, ConnectionLease lease) : base(sql, lease.Connection) => _lease = lease;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _lease.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
