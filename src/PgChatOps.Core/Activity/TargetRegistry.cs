using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using PgChatOps.Hosting;

namespace PgChatOps.Activity;

/// <summary>
/// One small pool and one lifeline per configured target (<see cref="PoolWithLifeline"/>), every connection tagged
/// with the bot's per-process application name.
/// </summary>
public sealed class TargetRegistry : IAsyncDisposable
{
    private readonly Dictionary<string, (PoolWithLifeline Source, TargetOptions Options)> _targets;

    public TargetRegistry(IOptions<PgChatOpsOptions> options, ILoggerFactory? logs = null)
    {
        var o = options.Value;
        var log = (logs ?? NullLoggerFactory.Instance).CreateLogger<Lifeline>();
        _targets = new(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, target) in o.Targets)
        {
            if (string.IsNullOrWhiteSpace(target.ConnectionString))
            {
                continue;
            }
            _targets[name] = (new PoolWithLifeline($"target {name}", target.ConnectionString, o.Monitoring.StatementTimeout, o.Monitoring, log), target);
        }

        DefaultTarget = o.DefaultTarget is { Length: > 0 } d ? d : _targets.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>The target used when a command names none.</summary>
    public string? DefaultTarget { get; }

    public IEnumerable<string> Names => _targets.Keys.Order(StringComparer.Ordinal);

    public bool Contains(string name) => _targets.ContainsKey(name);

    /// <summary>The target's pool alone, without the lifeline behind it.</summary>
    public NpgsqlDataSource Get(string name) => _targets[name].Source.Pool;

    public Lifeline Lifeline(string name) => _targets[name].Source.Lifeline;

    public IEnumerable<Lifeline> Lifelines => _targets.Values.Select(t => t.Source.Lifeline);

    public TargetOptions Options(string name) => _targets[name].Options;

    /// <summary>The canonical spelling of a target name, as configured.</summary>
    public string Canonical(string name) => _targets.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A connection to the target for an action (a signal): pooled, or the lifeline when the server is full, where
    /// it waits its turn ahead of every waiting read.
    /// </summary>
    public Task<ConnectionLease> OpenAsync(string name, CancellationToken ct) => _targets[name].Source.OpenAsync(ct);

    /// <summary>
    /// A command on <see cref="OpenAsync"/>'s connection, carrying <c>@own_pids</c> and <c>@own_app</c> for
    /// <see cref="SessionQuery"/>, for a read. Disposing it gives the connection back. When the server is full a read
    /// waits only briefly for the lifeline, behind any action, and otherwise throws <see cref="LifelineBusyException"/>.
    /// </summary>
    public async Task<NpgsqlCommand> CommandAsync(string name, string sql, CancellationToken ct)
    {
        var cmd = await _targets[name].Source.CommandAsync(sql, LifelineUse.Read, ct);
        AddOwnParameters(name, cmd);
        return cmd;
    }

    /// <summary><c>@own_pids</c> (the bot's pids on this target's server only) and <c>@own_app</c>.</summary>
    internal void AddOwnParameters(string name, NpgsqlCommand cmd)
    {
        cmd.Parameters.Add(new NpgsqlParameter("own_pids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = OwnBackends.PidsOn(_targets[name].Source.Server) });
        cmd.Parameters.Add(new NpgsqlParameter("own_app", NpgsqlDbType.Text) { Value = OwnBackends.ApplicationName });
    }

    /// <summary>A pooled data source as the bot builds them, for one-off use (check).</summary>
    internal static NpgsqlDataSource BuildDataSource(string connectionString, TimeSpan statementTimeout) =>
        PoolWithLifeline.Build(connectionString, statementTimeout, new MonitoringOptions().PoolIdleLifetime, pooled: true, pids: null);

    public async ValueTask DisposeAsync()
    {
        foreach (var (source, _) in _targets.Values)
        {
            await source.DisposeAsync();
        }
    }
}
