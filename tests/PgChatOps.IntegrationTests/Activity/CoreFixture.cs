using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Activity;

/// <summary>One core (target <c>test</c>, its own state database) shared by the tests of one class.</summary>
public sealed class CoreFixture : IAsyncLifetime
{
    public CoreHost Core { get; private set; } = null!;

    public async Task InitializeAsync() => Core = await CoreHost.StartAsync();

    public async Task DisposeAsync() => await Core.DisposeAsync();
}
