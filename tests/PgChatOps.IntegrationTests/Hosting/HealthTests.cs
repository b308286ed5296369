using System.Net;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Readyz_says_ready_once_the_state_store_is_migrated()
    {
        await using var app = await TestApp.CreateAsync();
        using var client = app.CreateClient();

        var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.StartsWith("ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
