using PgChatOps.Slack;

namespace PgChatOps.Tests.Slack;

public sealed class SlackResponseUrlTests
{
    private const string SlackApi = "https://slack.com/api/";
    private const string FakeApi = "http://127.0.0.1:5123/api/";

    [Theory]
    [InlineData("https://hooks.slack.com/commands/T1/123/abc", SlackApi, true)]
    [InlineData("https://HOOKS.slack.com/actions/T1/123/abc", SlackApi, true)]
    [InlineData("http://127.0.0.1:5123/response/x", FakeApi, true)]
    [InlineData("http://hooks.slack.com/commands/T1/123/abc", SlackApi, false)]
    [InlineData("https://hooks.slack.com:8443/commands/T1/123/abc", SlackApi, false)]
    [InlineData("https://hooks.slack.com.attacker.example/commands", SlackApi, false)]
    [InlineData("https://attacker.example/hooks.slack.com/commands", SlackApi, false)]
    [InlineData("https://hooks.slack.com@attacker.example/commands", SlackApi, false)]
    [InlineData("https://user:pw@hooks.slack.com/commands", SlackApi, false)]
    [InlineData("http://127.0.0.1:5124/response/x", FakeApi, false)]
    [InlineData("https://127.0.0.1:5123/response/x", FakeApi, false)]
    [InlineData("http://169.254.169.254/latest/meta-data/", SlackApi, false)]
    [InlineData("file:///etc/passwd", SlackApi, false)]
    [InlineData("/response/x", FakeApi, false)]
    [InlineData("", SlackApi, false)]
    public void Item5_the_bot_posts_only_to_hooks_slack_com_or_the_host_of_the_api_base_url(string url, string apiBaseUrl, bool allowed)
    {
        Assert.Equal(allowed, SlackResponseUrl.Read(url, apiBaseUrl) is not null);
    }
}
