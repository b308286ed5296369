namespace PgChatOps.Discord;

public static class DiscordEndpoints
{
    public static IHostApplicationBuilder AddDiscord(this IHostApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapDiscordEndpoints(this IEndpointRouteBuilder app) => app;
}
