using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using PgChatOps.Discord;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Artifacts;

public sealed class DiscordAttachmentTests
{
    // ASCII stand-ins: the fake server records bodies as text.
    private static readonly byte[] Png = Encoding.ASCII.GetBytes("PNG-BYTES-OF-A-CHART");
    private static readonly byte[] Csv = Encoding.ASCII.GetBytes("pid,state\r\n4242,idle\r\n");

    private sealed record Part(string Name, string? FileName, string? ContentType, string Body);

    /// <summary>Sends the body to a fake Discord and reads back what went over the wire.</summary>
    private static async Task<(RecordedRequest Request, List<Part> Parts)> SendAsync(HttpMethod method, string path, HttpContent body)
    {
        await using var discord = await FakeHttpServer.StartAsync();
        discord.Handler = _ => new FakeResponse(System.Net.HttpStatusCode.NoContent, null);
        using var http = new HttpClient();
        using var response = await http.SendAsync(new HttpRequestMessage(method, discord.BaseUrl + path) { Content = body });
        var request = Assert.Single(discord.Requests);

        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.Headers["Content-Type"]).Boundary).Value!;
        var reader = new MultipartReader(boundary, new MemoryStream(Encoding.UTF8.GetBytes(request.Body)));
        var parts = new List<Part>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
            parts.Add(new Part(
                HeaderUtilities.RemoveQuotes(disposition.Name).Value!,
                HeaderUtilities.RemoveQuotes(disposition.FileName).Value,
                section.ContentType,
                await new StreamReader(section.Body).ReadToEndAsync()));
        }
        return (request, parts);
    }

    [Fact]
    public async Task An_interaction_response_carries_payload_json_then_files_0_named_in_attachments()
    {
        var chart = DiscordFile.Png("pgchatops-history-main-1h.png", Png, "main, last 1h: peak 47 connections");
        var body = DiscordAttachment.ForInteractionResponse(new JsonObject { ["content"] = "History of main" }, [chart]);

        var (request, parts) = await SendAsync(HttpMethod.Post, "interactions/123/tok/callback", body);

        Assert.StartsWith("multipart/form-data; boundary=", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(["payload_json", "files[0]"], parts.Select(p => p.Name));
        Assert.StartsWith("application/json", parts[0].ContentType, StringComparison.Ordinal);
        Assert.Null(parts[0].FileName);
        using var payload = JsonDocument.Parse(parts[0].Body);
        Assert.Equal(4, payload.RootElement.GetProperty("type").GetInt32());
        var data = payload.RootElement.GetProperty("data");
        Assert.Equal("History of main", data.GetProperty("content").GetString());
        var attachment = Assert.Single(data.GetProperty("attachments").EnumerateArray());
        Assert.Equal(0, attachment.GetProperty("id").GetInt32());
        Assert.Equal("pgchatops-history-main-1h.png", attachment.GetProperty("filename").GetString());
        Assert.Equal("main, last 1h: peak 47 connections", attachment.GetProperty("description").GetString());

        Assert.Equal(("pgchatops-history-main-1h.png", "image/png", "PNG-BYTES-OF-A-CHART"), (parts[1].FileName, parts[1].ContentType, parts[1].Body));
    }

    [Fact]
    public async Task A_webhook_edit_with_two_files_numbers_them_in_order_and_keeps_the_embed_reference()
    {
        var chart = DiscordFile.Png("chart.png", Png);
        var snapshot = DiscordFile.Csv("sessions.csv", Csv);
        var message = new JsonObject
        {
            ["content"] = "Incident on main",
            ["embeds"] = new JsonArray(new JsonObject { ["title"] = "History", ["image"] = new JsonObject { ["url"] = DiscordAttachment.Url(chart) } }),
        };

        var (request, parts) = await SendAsync(HttpMethod.Patch, "webhooks/app/tok/messages/@original",
            DiscordAttachment.ForWebhookMessage(message, [chart, snapshot]));

        Assert.Equal("PATCH", request.Method);
        Assert.Equal(["payload_json", "files[0]", "files[1]"], parts.Select(p => p.Name));
        using var payload = JsonDocument.Parse(parts[0].Body);
        Assert.False(payload.RootElement.TryGetProperty("type", out _), "a webhook body is the message itself");
        Assert.Equal("attachment://chart.png", payload.RootElement.GetProperty("embeds")[0].GetProperty("image").GetProperty("url").GetString());
        Assert.Equal(
            [(0, "chart.png"), (1, "sessions.csv")],
            payload.RootElement.GetProperty("attachments").EnumerateArray().Select(a => (a.GetProperty("id").GetInt32(), a.GetProperty("filename").GetString())));
        Assert.Equal(("chart.png", "image/png"), (parts[1].FileName, parts[1].ContentType));
        Assert.Equal(("sessions.csv", "text/csv", "pid,state\r\n4242,idle\r\n"), (parts[2].FileName, parts[2].ContentType, parts[2].Body));
        Assert.False(message.ContainsKey("attachments"), "the caller's message was changed");
    }
}
