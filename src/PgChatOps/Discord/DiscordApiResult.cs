using System.Net;

namespace PgChatOps.Discord;

/// <summary>What Discord answered, after retries. Never thrown: the caller decides what a failure means.</summary>
public sealed record DiscordApiResult(HttpStatusCode? Status, string Body, int Attempts)
{
    public bool IsSuccess => Status is { } s && (int)s is >= 200 and < 300;

    public override string ToString() => Status is { } s ? $"HTTP {(int)s}" : "no answer";
}
