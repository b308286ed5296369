using Microsoft.Extensions.DependencyInjection;
using PgChatOps.Activity;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>Waits for a host's lifelines, which open in the background after start-up.</summary>
internal static class Lifelines
{
    /// <summary>The held lifeline's backend pid, once it is held (bounded wait); optionally a different one than <paramref name="not"/>.</summary>
    public static async Task<int> HeldAsync(Lifeline lifeline, int? not = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (lifeline.Pid is { } pid && pid != not)
            {
                return pid;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The lifeline to {lifeline.Name} was not held in time: {lifeline.LastError}");
    }

    public static Task<int> LifelinePidAsync(this CoreHost core, string target = "test") =>
        HeldAsync(core.Services.GetRequiredService<TargetRegistry>().Lifeline(target));
}
