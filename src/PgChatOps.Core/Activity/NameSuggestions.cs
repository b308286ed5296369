using Microsoft.Extensions.Logging;
using Npgsql;
using PgChatOps.Actions;
using PgChatOps.Commands;

namespace PgChatOps.Activity;

/// <summary>
/// Names to offer while someone types an option (Discord autocomplete, issue 13 item 7): the targets the asker may
/// view in this place, or the users, databases or applications of one such target's current client sessions. Never a
/// name from a target the asker may not view. Session names come from one cheap, bounded query with a short deadline;
/// a slow or failing target offers nothing rather than hold up the answer (a suggestion list is not a result, and
/// an empty one tells nobody the database is idle).
/// </summary>
public sealed class NameSuggestions(TargetRegistry targets, AccessPolicy access, ILogger<NameSuggestions> log)
{
    /// <summary>Discord shows at most 25 choices.</summary>
    public const int MaxChoices = 25;

    /// <summary>Discord's choice names and string values are at most 100 characters: a longer name cannot be offered.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Discord allows 3 seconds for the whole answer, network included.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(1500);

    /// <summary>Matching names, those that start with <paramref name="typed"/> first, at most <see cref="MaxChoices"/>.</summary>
    /// <param name="target">The target the other options chose, or null for the default target (session names only).</param>
    public async Task<IReadOnlyList<string>> SuggestAsync(ChatPlace place, ChatUser user, SuggestedName kind, string typed, string? target, CancellationToken ct)
    {
        if (kind == SuggestedName.Target)
        {
            return Rank(targets.Names.Where(t => access.IsAllowed(place, user, t, VerbClass.View)), typed);
        }
        var name = target is { Length: > 0 } t2 ? t2 : targets.DefaultTarget;
        if (name is null || !targets.Contains(name))
        {
            return [];
        }
        name = targets.Canonical(name);
        if (!access.IsAllowed(place, user, name, VerbClass.View))
        {
            return [];
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        try
        {
            await using var cmd = await targets.CommandAsync(name, Sql(kind), deadline.Token);
            cmd.Parameters.AddWithValue("typed", typed);
            cmd.Parameters.AddWithValue("max_length", MaxNameLength);
            cmd.Parameters.AddWithValue("max_choices", MaxChoices);
            var names = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync(deadline.Token);
            while (await r.ReadAsync(deadline.Token))
            {
                names.Add(r.GetString(0));
            }
            return names;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            SuggestionLog.TooSlow(log, name, kind, Deadline.TotalMilliseconds);
            return [];
        }
        catch (Exception ex) when (ex is NpgsqlException or LifelineBusyException or TimeoutException)
        {
            SuggestionLog.Failed(log, name, kind, ex.Message);
            return [];
        }
    }

    private static List<string> Rank(IEnumerable<string> names, string typed) =>
    [
        .. names
            .Where(n => n.Length <= MaxNameLength && n.Contains(typed, StringComparison.OrdinalIgnoreCase))
            .OrderBy(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(n => n, StringComparer.Ordinal)
            .Take(MaxChoices),
    ];

    // One column of pg_stat_activity, chosen from three fixed statements (an identifier cannot be a parameter).
    // Client backends only, never the bot's own; matched and ranked on the server, at most 25 rows back.
    private static string Sql(SuggestedName kind)
    {
        var column = kind switch
        {
            SuggestedName.User => "usename",
            SuggestedName.Database => "datname",
            SuggestedName.Application => "application_name",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return $"""
            SELECT n FROM (
                SELECT DISTINCT {column}::text AS n
                FROM pg_stat_activity
                WHERE backend_type = 'client backend'
                  AND pid <> ALL(@own_pids)
                  AND application_name IS DISTINCT FROM @own_app
            ) names
            WHERE n <> '' AND length(n) <= @max_length AND strpos(lower(n), lower(@typed)) > 0
            ORDER BY strpos(lower(n), lower(@typed)) <> 1, n COLLATE "C"
            LIMIT @max_choices
            """;
    }
}
