namespace PgChatOps.Slack;

public static class SlackEndpoints
{
    public static IHostApplicationBuilder AddSlack(this IHostApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder app) => app;
}
