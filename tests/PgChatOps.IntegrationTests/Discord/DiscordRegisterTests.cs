using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.Discord;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Discord;

public sealed class DiscordRegisterTests
{
    private static string[] Args(FakeHttpServer api, params string[] verb) =>
    [
        .. verb,
        $"--PgChatOps:Discord:ApplicationId={DiscordTestPlatform.ApplicationId}",
        $"--PgChatOps:Discord:BotToken={DiscordTestPlatform.BotToken}",
        $"--PgChatOps:Discord:ApiBaseUrl={api.BaseUrl}",
    ];

    private static string Manifest() => File.ReadAllText(DiscordCommandRegistration.FindManifest(AppContext.BaseDirectory)!);

    [Fact]
    public async Task Register_with_a_guild_puts_commands_json_as_it_is()
    {
        await using var api = await FakeHttpServer.StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DiscordCommandRegistration.RunAsync(Args(api, "register", "--guild", DiscordTestPlatform.Guild), stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        var put = Assert.Single(api.Requests);
        Assert.Equal("PUT", put.Method);
        Assert.Equal($"/applications/{DiscordTestPlatform.ApplicationId}/guilds/{DiscordTestPlatform.Guild}/commands", put.Path);
        Assert.Equal(Manifest(), put.Body);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Manifest()), JsonNode.Parse(put.Body)));
        Assert.Equal($"Bot {DiscordTestPlatform.BotToken}", put.Headers["Authorization"]);
        Assert.StartsWith("application/json", put.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.StartsWith("Registered /pg in guild", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(DiscordTestPlatform.BotToken, stdout.ToString() + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_without_a_guild_overwrites_the_global_commands_and_retries_a_server_error()
    {
        await using var api = await FakeHttpServer.StartAsync();
        var calls = 0;
        api.Handler = _ => Interlocked.Increment(ref calls) == 1
            ? FakeResponse.Json("""{"message":"upstream"}""", HttpStatusCode.BadGateway)
            : FakeResponse.Json("[]");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DiscordCommandRegistration.RunAsync(Args(api, "register"), stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        Assert.Equal(2, api.Requests.Count);
        Assert.All(api.Requests, r => Assert.Equal($"/applications/{DiscordTestPlatform.ApplicationId}/commands", r.Path));
        Assert.Contains("as global commands", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_says_which_setting_is_missing_and_fails()
    {
        await using var api = await FakeHttpServer.StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DiscordCommandRegistration.RunAsync(
            ["register", "--PgChatOps:Discord:ApplicationId=", "--PgChatOps:Discord:BotToken=", $"--PgChatOps:Discord:ApiBaseUrl={api.BaseUrl}"], stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Contains("PgChatOps:Discord:ApplicationId and PgChatOps:Discord:BotToken", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Register_reports_Discord_refusing_the_commands()
    {
        await using var api = await FakeHttpServer.StartAsync();
        api.Handler = _ => FakeResponse.Json("""{"message":"Invalid Form Body","code":50035}""", HttpStatusCode.BadRequest);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await DiscordCommandRegistration.RunAsync(Args(api, "register", "--guild", "42"), stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Contains("HTTP 400", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("Invalid Form Body", stderr.ToString(), StringComparison.Ordinal);
    }
}
