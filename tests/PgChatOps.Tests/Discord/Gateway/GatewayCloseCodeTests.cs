using PgChatOps.Discord.Gateway;

namespace PgChatOps.Tests.Discord.Gateway;

public sealed class GatewayCloseCodeTests
{
    [Theory]
    [InlineData(4004)]
    [InlineData(4010)]
    [InlineData(4011)]
    [InlineData(4012)]
    [InlineData(4013)]
    [InlineData(4014)]
    public void Codes_discord_marks_not_reconnectable_stop_the_transport(int code) =>
        Assert.Equal(GatewayNextStep.Stop, GatewayCloseCode.After(code));

    [Theory]
    [InlineData(4003)]
    [InlineData(4007)]
    [InlineData(4009)]
    public void Codes_that_end_the_session_lead_to_a_new_identify(int code) =>
        Assert.Equal(GatewayNextStep.Identify, GatewayCloseCode.After(code));

    [Theory]
    [InlineData(null)]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1006)]
    [InlineData(4000)]
    [InlineData(4001)]
    [InlineData(4002)]
    [InlineData(4005)]
    [InlineData(4006)]
    [InlineData(4008)]
    [InlineData(4999)]
    public void Every_other_close_and_a_bare_drop_are_worth_a_resume(int? code) =>
        Assert.Equal(GatewayNextStep.Resume, GatewayCloseCode.After(code));

    [Fact]
    public void A_rejected_token_is_described_in_terms_of_the_setting_to_fix() =>
        Assert.Contains("Discord:BotToken", GatewayCloseCode.Describe(GatewayCloseCode.AuthenticationFailed), StringComparison.Ordinal);
}
