using System.Text.Json.Nodes;
using PgChatOps.Discord;

namespace PgChatOps.Tests.Artifacts;

public sealed class DiscordAttachmentLimitsTests
{
    private static readonly JsonObject Message = new() { ["content"] = "History of main" };

    [Fact]
    public void A_file_over_the_interactions_size_limit_is_refused_with_its_name_and_size()
    {
        var big = new DiscordFile("chart.png", new byte[2048], "image/png");

        var ex = Assert.Throws<ArgumentException>(() => DiscordAttachment.ForWebhookMessage(Message, [big], sizeLimit: 1024));

        Assert.StartsWith("chart.png is 2048 bytes; Discord takes at most 1024 here.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("my chart.png")]
    [InlineData("../etc/passwd")]
    [InlineData(".hidden")]
    [InlineData("chart\".png")]
    [InlineData("")]
    public void A_file_name_that_attachment_urls_could_not_name_is_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => DiscordAttachment.ForWebhookMessage(Message, [new DiscordFile(name, new byte[1], "image/png")]));
    }

    [Fact]
    public void No_files_or_more_than_ten_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DiscordAttachment.ForWebhookMessage(Message, []));
        var eleven = Enumerable.Range(0, 11).Select(i => new DiscordFile($"f{i}.csv", new byte[1], "text/csv")).ToList();
        Assert.Throws<ArgumentOutOfRangeException>(() => DiscordAttachment.ForWebhookMessage(Message, eleven));
    }

    [Fact]
    public void Alt_text_longer_than_discord_allows_is_cut_to_1024_characters()
    {
        var file = new DiscordFile("chart.png", new byte[1], "image/png", new string('x', 5000));

        var message = DiscordAttachment.WithAttachments(Message, [file]);

        var description = message["attachments"]![0]!["description"]!.GetValue<string>();
        Assert.Equal(1024, description.Length);
        Assert.EndsWith("…", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Attachment_ids_are_the_file_indexes_and_edits_list_every_file()
    {
        var files = new[] { DiscordFile.Png("a.png", [1]), DiscordFile.Csv("b.csv", [2]) };

        var message = DiscordAttachment.WithAttachments(Message, files);

        Assert.Equal(
            """{"content":"History of main","attachments":[{"id":0,"filename":"a.png"},{"id":1,"filename":"b.csv"}]}""",
            message.ToJsonString());
        Assert.Equal("attachment://a.png", DiscordAttachment.Url(files[0]));
    }
}
