using System.Text.RegularExpressions;
using PgChatOps.Activity;
using PgChatOps.Commands;

namespace PgChatOps.Watch;

/// <summary>
/// Applies a <see cref="SessionFilter"/> to sampled sessions on the client, with the meaning SQL gives it in
/// <c>SessionQuery.FilterPredicate</c> (case-insensitive <c>*</c> globs; <c>longer=</c> on time in state), so that
/// one sample serves rules with different filters. <c>query~</c> sees the first 1,000 characters of the query.
/// </summary>
public sealed class SessionFilterMatcher
{
    private readonly SessionFilter _filter;
    private readonly Regex? _user, _db, _app, _client, _wait;

    public SessionFilterMatcher(SessionFilter filter)
    {
        _filter = filter;
        _user = Glob(filter.User);
        _db = Glob(filter.Database);
        _app = Glob(filter.Application);
        _client = Glob(filter.Client);
        _wait = Glob(filter.Wait);
    }

    public bool Matches(SessionInfo s) =>
        Like(_user, s.User)
        && Like(_db, s.Database)
        && Like(_app, s.Application)
        && Like(_client, s.Client)
        && (_filter.State is not { } state || s.State == SessionFilter.StateText(state))
        && (_wait is null || Like(_wait, s.WaitEventType) || Like(_wait, s.WaitEvent))
        && (_filter.Longer is not { } longer || s.InState >= longer)
        && (_filter.QueryContains is not { } q || (s.Query?.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false));

    private static bool Like(Regex? pattern, string? value) => pattern is null || (value is not null && pattern.IsMatch(value));

    private static Regex? Glob(string? glob) => glob is null
        ? null
        : new Regex("^" + string.Join(".*", glob.Split('*').Select(Regex.Escape)) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
}
