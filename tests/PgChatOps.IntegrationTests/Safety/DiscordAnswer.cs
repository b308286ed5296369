using System.Net;
using System.Text.Json.Nodes;
using PgChatOps.IntegrationTests.Discord;

namespace PgChatOps.IntegrationTests.Safety;

/// <summary>The message a Discord user finally sees for an interaction: inline (type 4), or after a defer (type 5) the edit or follow-up.</summary>
internal static class DiscordAnswer
{
    public static async Task<JsonObject> DataAsync(DiscordTestPlatform discord, HttpResponseMessage response, JsonObject interaction)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        if (body["type"]!.GetValue<int>() != 5)
        {
            return body["data"]!.AsObject();
        }
        var token = interaction["token"]!.GetValue<string>();
        var webhook = $"/webhooks/{DiscordTestPlatform.ApplicationId}/{token}";
        var later = await discord.Api.WaitForAsync(
            r => (r.Method == "PATCH" && r.Path == webhook + "/messages/@original") || (r.Method == "POST" && r.Path == webhook),
            TimeSpan.FromSeconds(20));
        return JsonNode.Parse(later.Body)!.AsObject();
    }
}
