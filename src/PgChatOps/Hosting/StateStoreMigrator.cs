using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>Creates and migrates the state store at start-up, retrying until it is reachable. Readiness waits for it.</summary>
public sealed class StateStoreMigrator(StateStore store, ILogger<StateStoreMigrator> log) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public string? LastError { get; private set; }

    public Task Ready => _ready.Task;

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
                log.LogInformation("State store ready (schema version {Version}).", StateStore.LatestVersion);
                return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or StateStoreUnavailableException)
            {
                LastError = $"not migrated: {Activity.DatabaseErrors.Cause(ex)}";
                log.LogWarning("State store not ready, retrying in {Delay}: {Error}", delay, LastError);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }
}
