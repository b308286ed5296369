using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgChatOps.Activity;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>Creates and migrates the state store at start-up, retrying until it is reachable. Readiness waits for it.</summary>
public sealed class StateStoreMigrator(StateStore store, ILogger<StateStoreMigrator> log) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public string? LastError { get; private set; }

    public Task Ready => _ready.Task;

    /// <summary>
    /// The <c>migrate</c> verb: migrates the state store once and exits (0 when done, 1 when not), so the owner's
    /// PgChatOps:MigrationConnectionString can live in a one-off job rather than in every serving replica.
    /// </summary>
    public static async Task<int> RunOnceAsync(string[] args, TextWriter output)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddPgChatOps();
        var options = SettingsBinding.Bind(builder.Configuration);
        await using var store = new StateStore(Options.Create(options));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
            await store.MigrateAsync(timeout.Token);
            await output.WriteLineAsync($"ok   state store: migrated to schema version {StateStore.LatestVersion}" +
                (string.IsNullOrWhiteSpace(options.MigrationConnectionString) ? "" : " as the migration role (PgChatOps:MigrationConnectionString)"));
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException or StateStoreUnavailableException)
        {
            await output.WriteLineAsync($"FAIL state store: not migrated: {DatabaseErrors.Cause(ex)}");
            return 1;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.MigrateAsync(stoppingToken);
                LastError = null;
                _ready.TrySetResult();
                StateStoreLog.Ready(log, StateStore.LatestVersion);
                return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or StateStoreUnavailableException)
            {
                LastError = $"not migrated: {Activity.DatabaseErrors.Cause(ex)}";
                StateStoreLog.NotReady(log, delay, LastError);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }
}
