using System.Net;
using Polly;
using PgChatOps.Hosting;

namespace PgChatOps.Tests.Operations;

public sealed class ApiResilienceTests
{
    private static Outcome<HttpResponseMessage> Status(HttpStatusCode status) => Outcome.FromResult(new HttpResponseMessage(status));

    private static HttpRequestMessage Post(bool idempotent = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "https://slack.test/api/chat.postMessage");
        request.Options.Set(ApiResilience.Idempotent, idempotent);
        return request;
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public void A_post_that_may_have_been_done_is_not_sent_again(HttpStatusCode status)
    {
        Assert.False(ApiResilience.ShouldRetry(Status(status), Post()));
        Assert.False(ApiResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutException()), Post()));
    }

    [Fact]
    public void Idempotent_requests_are_retried_after_a_transient_failure()
    {
        Assert.True(ApiResilience.ShouldRetry(Status(HttpStatusCode.BadGateway), Post(idempotent: true)));
        Assert.True(ApiResilience.ShouldRetry(Status(HttpStatusCode.InternalServerError), new HttpRequestMessage(HttpMethod.Patch, "https://discord.test/")));
        Assert.True(ApiResilience.ShouldRetry(Status(HttpStatusCode.BadGateway), new HttpRequestMessage(HttpMethod.Put, "https://discord.test/")));
    }

    [Fact]
    public void A_request_that_never_reached_the_platform_is_retried_whatever_its_method()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "connection refused");
        Assert.True(ApiResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(refused), Post()));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.BadRequest)]
    public void Rate_limits_and_503_are_left_to_the_sender_and_answers_are_final(HttpStatusCode status)
    {
        Assert.False(ApiResilience.ShouldRetry(Status(status), Post(idempotent: true)));
    }
}
