using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Hosting;

namespace PgChatOps.Activity;

/// <summary>One <see cref="NpgsqlDataSource"/> per configured target, each tagged <c>application_name = pgchatops</c>.</summary>
public sealed class TargetRegistry : IAsyncDisposable
{
    public const string ApplicationName = "pgchatops";

    private readonly Dictionary<string, (NpgsqlDataSource Source, TargetOptions Options)> _targets;

    public TargetRegistry(IOptions<PgChatOpsOptions> options)
    {
        var o = options.Value;
        _targets = new(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, target) in o.Targets)
        {
            if (string.IsNullOrWhiteSpace(target.ConnectionString))
            {
                continue;
            }
            _targets[name] = (BuildDataSource(target.ConnectionString, o.Monitoring.StatementTimeout), target);
        }

        DefaultTarget = o.DefaultTarget is { Length: > 0 } d ? d : _targets.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>The target used when a command names none.</summary>
    public string? DefaultTarget { get; }

    public IEnumerable<string> Names => _targets.Keys.Order(StringComparer.Ordinal);

    public bool Contains(string name) => _targets.ContainsKey(name);

    public NpgsqlDataSource Get(string name) => _targets[name].Source;

    public TargetOptions Options(string name) => _targets[name].Options;

    /// <summary>The canonical spelling of a target name, as configured.</summary>
    public string Canonical(string name) => _targets.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    internal static NpgsqlDataSource BuildDataSource(string connectionString, TimeSpan statementTimeout)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationName,
            MaxPoolSize = 5,
            Timeout = 5,
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(statementTimeout.TotalSeconds) + 5),
            // Each read is one statement on a server that may be in trouble; the pool's DISCARD ALL would double
            // that. Nothing here leaves session state behind (SET LOCAL only, inside transactions that end).
            NoResetOnClose = true,
        };
        var timeoutMs = (long)statementTimeout.TotalMilliseconds;
        csb.Options = $"-c statement_timeout={timeoutMs} -c lock_timeout={timeoutMs} {csb.Options}".Trim();
        return new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (source, _) in _targets.Values)
        {
            await source.DisposeAsync();
        }
    }
}
