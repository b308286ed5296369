using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PgChatOps.Commands;

/// <summary>
/// Turns command text (Slack, console) or named options (Discord) into a <see cref="Command"/>,
/// or into a precise error. Never throws on user input.
/// </summary>
public static partial class CommandParser
{
    public const int MaxLength = 2000;

    public static ParseResult Parse(string? text)
    {
        text ??= "";
        if (text.Length > MaxLength)
        {
            return ParseResult.Fail(
                $"The command is {text.Length:N0} characters long; the limit is {MaxLength:N0}. Shorten the filters, e.g. query~ a shorter fragment.");
        }

        if (Unrecordable(text) is { } unrecordable)
        {
            return ParseResult.Fail(unrecordable);
        }

        var trimmed = text.Trim();
        if (trimmed.StartsWith(CommandGrammar.Prefix, StringComparison.OrdinalIgnoreCase)
            && (trimmed.Length == CommandGrammar.Prefix.Length || char.IsWhiteSpace(trimmed[CommandGrammar.Prefix.Length])))
        {
            trimmed = trimmed[CommandGrammar.Prefix.Length..].TrimStart();
        }

        if (trimmed.Length == 0)
        {
            return ParseResult.Fail("Nothing to do: give a verb, e.g. `/pg sessions`.", showHelp: true);
        }

        var (words, error) = Tokenize(trimmed);
        if (error is not null)
        {
            return ParseResult.Fail(error);
        }

        var verbWord = words[0];
        if (verbWord.Key is not null)
        {
            return ParseResult.Fail(
                $"A command starts with a verb, not with '{Clip(verbWord.Raw)}': e.g. `/pg sessions {Clip(verbWord.Raw)}`.", showHelp: true);
        }

        return Parse(verbWord.Value, words.Skip(1).ToList(), OneLine(trimmed));
    }

    /// <summary>Binds a verb and its arguments; Discord options come in here directly.</summary>
    public static ParseResult Parse(string verbName, IReadOnlyList<CommandArgument> args, string? text = null)
    {
        var unrecordable = Unrecordable(verbName) ?? args.Select(a => Unrecordable(a.Raw) ?? Unrecordable(a.Value)).FirstOrDefault(e => e is not null);
        if (unrecordable is not null)
        {
            return ParseResult.Fail(unrecordable);
        }

        var spec = CommandGrammar.FindVerb(verbName);
        if (spec is null)
        {
            return ParseResult.Fail(
                $"Unknown verb '{Clip(verbName)}'. Verbs: {string.Join(", ", CommandGrammar.Verbs.Select(v => v.Name))}.", showHelp: true);
        }

        text ??= OneLine(string.Join(' ', new[] { spec.Name }.Concat(args.Select(a => a.Raw))));
        var command = new Command(spec.Verb) { Text = text };
        var filter = SessionFilter.None;
        var audit = AuditFilter.None;
        var seen = new Dictionary<string, CommandArgument>(StringComparer.Ordinal);

        foreach (var arg in args)
        {
            if (arg.Key is null)
            {
                if (spec.Verb == Verb.Help && command.HelpTopic is null)
                {
                    var topic = CommandGrammar.FindVerb(arg.Value);
                    if (topic is null)
                    {
                        return ParseResult.Fail($"No help for '{Clip(arg.Value)}': it is not a verb. Try `/pg help`.", showHelp: true);
                    }
                    command = command with { HelpTopic = topic.Verb };
                    continue;
                }

                if (spec.Verb == Verb.Audit && !command.Verify && seen.Count == 0
                    && string.Equals(arg.Value, CommandGrammar.AuditVerify, StringComparison.OrdinalIgnoreCase))
                {
                    command = command with { Verify = true };
                    continue;
                }

                if (spec.Verb == Verb.Sessions && !command.Csv
                    && string.Equals(arg.Value, CommandGrammar.SessionsCsv, StringComparison.OrdinalIgnoreCase))
                {
                    command = command with { Csv = true };
                    continue;
                }

                // audit 18139 means audit pid=18139: the question is "who killed 18139?".
                if ((spec.Pid == PidUse.None && spec.Verb != Verb.Audit) || !LooksLikeNumber(arg.Value))
                {
                    return ParseResult.Fail(BareWordError(spec, arg));
                }

                var pidArg = arg with { Key = "pid", Operator = "=" };
                if (seen.TryGetValue("pid", out var firstPid))
                {
                    return ParseResult.Fail(Twice("pid", firstPid, pidArg));
                }
                seen["pid"] = pidArg;
                if (!TryParsePid(arg.Value, out var pid))
                {
                    return ParseResult.Fail(PidError(arg.Value, spec));
                }
                command = command with { Pid = pid };
                continue;
            }

            var key = arg.Key.ToLowerInvariant();
            var keySpec = CommandGrammar.FindKey(key);
            if (keySpec is null)
            {
                return ParseResult.Fail(UnknownKey(spec, arg));
            }
            if (!spec.Keys.Contains(key))
            {
                return ParseResult.Fail(
                    $"'{Clip(arg.Raw)}': {spec.Name} takes no {key}. Form: `/pg {spec.Usage}`.");
            }
            if (arg.Operator == "~" && key != "query")
            {
                return ParseResult.Fail($"'{Clip(arg.Raw)}': only query takes ~. Use {key}=…, e.g. {keySpec.Example}.");
            }
            if (seen.TryGetValue(key, out var first))
            {
                return ParseResult.Fail(Twice(key, first, arg));
            }
            seen[key] = arg;

            var value = arg.Value;
            if (value.Length == 0)
            {
                return ParseResult.Fail($"'{Clip(arg.Raw)}' has no value. Form: {keySpec.Example}.");
            }

            switch (key)
            {
                case "user" when spec.Verb == Verb.Audit: audit = audit with { User = value }; break;
                case "user": filter = filter with { User = value }; break;
                case "by": audit = audit with { By = ChatUserName(value) }; break;
                case "action":
                    VerbClass? kind = value.ToLowerInvariant() switch
                    {
                        "cancel" => VerbClass.Cancel,
                        "terminate" or "kill" => VerbClass.Terminate,
                        _ => null,
                    };
                    if (kind is null)
                    {
                        return ParseResult.Fail($"Unknown action '{Clip(value)}' in '{Clip(arg.Raw)}'. Use cancel or terminate (kill is terminate), e.g. action=terminate.");
                    }
                    audit = audit with { Kind = kind };
                    break;
                case "status":
                    var status = value.ToLowerInvariant().Replace('-', '_');
                    if (!CommandGrammar.AuditStatuses.Contains(status))
                    {
                        return ParseResult.Fail(
                            $"Unknown status '{Clip(value)}' in '{Clip(arg.Raw)}'. Use one of: {string.Join(", ", CommandGrammar.AuditStatuses)}.");
                    }
                    audit = audit with { Status = status };
                    break;
                case "since":
                    if (TryParseDuration(value, out var ago) && ago > TimeSpan.Zero)
                    {
                        audit = audit with { SinceAgo = ago };
                    }
                    else if (TryParseMoment(value, out var moment))
                    {
                        audit = audit with { SinceDate = moment };
                    }
                    else
                    {
                        return ParseResult.Fail(
                            $"Bad since '{Clip(value)}' in '{Clip(arg.Raw)}': use a duration (30m, 2h, 1d) or a UTC date (2026-11-25 or 2026-11-25T13:00), e.g. since=2h.");
                    }
                    break;
                case "db": filter = filter with { Database = value }; break;
                case "app": filter = filter with { Application = value }; break;
                case "client": filter = filter with { Client = value }; break;
                case "wait": filter = filter with { Wait = value }; break;
                case "query": filter = filter with { QueryContains = value }; break;
                case "target": command = command with { Target = value }; break;
                case "state":
                    var state = CommandGrammar.States.FirstOrDefault(s => string.Equals(s.Word, value, StringComparison.OrdinalIgnoreCase)
                        || string.Equals(SessionFilter.StateText(s.State), value, StringComparison.OrdinalIgnoreCase));
                    if (state.Word is null)
                    {
                        return ParseResult.Fail(
                            $"Unknown state '{Clip(value)}' in '{Clip(arg.Raw)}'. Use one of: {string.Join(", ", CommandGrammar.States.Select(s => s.Word))}.");
                    }
                    filter = filter with { State = state.State };
                    break;
                case "longer":
                    if (!TryParseDuration(value, out var duration))
                    {
                        return ParseResult.Fail(
                            $"Bad duration '{Clip(value)}' in '{Clip(arg.Raw)}': use a whole number and a unit (s, m, h, d), e.g. longer=30s, longer=5m, longer=1h30m.");
                    }
                    filter = filter with { Longer = duration };
                    break;
                case "limit":
                    if (!TryParseBounded(value, 1, CommandGrammar.MaxLimit, out var limit))
                    {
                        return ParseResult.Fail(
                            $"Bad limit '{Clip(value)}' in '{Clip(arg.Raw)}': use a whole number from 1 to {CommandGrammar.MaxLimit}, e.g. limit=50.");
                    }
                    command = command with { Limit = limit };
                    break;
                case "last" when spec.Verb == Verb.History:
                    if (!Charts.HistoryWindows.TryParse(value, out var window))
                    {
                        return ParseResult.Fail($"Bad window '{Clip(value)}' in '{Clip(arg.Raw)}': use 1h, 6h, 24h or 7d, e.g. last=24h.");
                    }
                    command = command with { Window = window };
                    break;
                case "last":
                    if (!TryParseBounded(value, 1, CommandGrammar.MaxLast, out var last))
                    {
                        return ParseResult.Fail(
                            $"Bad count '{Clip(value)}' in '{Clip(arg.Raw)}': use a whole number from 1 to {CommandGrammar.MaxLast}, e.g. last=20.");
                    }
                    command = command with { Last = last };
                    break;
                case "sort":
                    var sort = CommandGrammar.Sorts.FirstOrDefault(s => string.Equals(s.Word, value, StringComparison.OrdinalIgnoreCase));
                    if (sort.Word is null)
                    {
                        return ParseResult.Fail(
                            $"Unknown sort '{Clip(value)}' in '{Clip(arg.Raw)}'. Use one of: {string.Join(", ", CommandGrammar.Sorts.Select(s => s.Word))}.");
                    }
                    command = command with { Sort = sort.Sort };
                    break;
                case "pid":
                    if (!TryParsePid(value, out var pid))
                    {
                        return ParseResult.Fail(PidError(value, spec));
                    }
                    command = command with { Pid = pid };
                    break;
            }
        }

        command = command with { Filter = filter, Audit = audit };

        if (command.Verify && command.Last is not null)
        {
            return ParseResult.Fail($"audit verify walks the whole chain and takes no last. Form: `/pg audit verify`, or `/pg audit last={command.Last}`.");
        }
        if (command.Verify && (command.Pid is not null || !audit.IsEmpty || command.Target is not null))
        {
            return ParseResult.Fail("audit verify walks the whole chain and takes no filters. Form: `/pg audit verify`, or the filters without verify, e.g. `/pg audit pid=18139`.");
        }

        switch (spec.Pid)
        {
            case PidUse.Required when command.Pid is null:
                return ParseResult.Fail($"{spec.Name} needs a pid. Form: `/pg {spec.Usage}`, e.g. {spec.Examples[0]}.");
            case PidUse.OrFilters when command.Pid is null && filter.IsEmpty:
                return ParseResult.Fail(
                    $"{spec.Name} needs a pid or at least one filter. Form: `/pg {spec.Usage}`, e.g. {spec.Examples[0]} or {spec.Examples[1]}.");
            case PidUse.OrFilters when command.Pid is not null && !filter.IsEmpty:
                return ParseResult.Fail(
                    $"{spec.Name} takes a pid or filters, not both: e.g. `/pg {spec.Name} {command.Pid}`, or the filters alone.");
        }

        return ParseResult.Ok(command);
    }

    /// <summary>
    /// Text the audit log could not store, or that no one could read back: PostgreSQL text holds no NUL, JSON no
    /// unpaired surrogate, and other control characters are invisible or act on a terminal. Such a command is refused
    /// here, before anything else, so that its refusal can be recorded like any other. The message never echoes the
    /// character itself.
    /// </summary>
    internal static string? Unrecordable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            string? what = null;
            if (char.IsSurrogate(c))
            {
                what = $"U+{(int)c:X4} (half a surrogate pair, invalid Unicode)";
            }
            else if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                what = $"U+{(int)c:X4} ({ControlName(c)})";
            }
            if (what is not null)
            {
                // Short enough for a Slack header (150 characters), so the example stays in view.
                return $"Position {i + 1} holds {what}, which the audit log cannot store: nothing was run. "
                    + "Use printable characters, e.g. `/pg sessions app=myapp`.";
            }
        }
        return null;
    }

    private static string ControlName(char c) => c switch
    {
        '\0' => "NUL",
        '\a' => "BEL",
        '\b' => "backspace",
        '\u001B' => "ESC",
        '\u007F' => "DEL",
        '\u009B' => "CSI",
        _ => "control",
    };

    /// <summary>Durations such as <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        double seconds = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value[^1];
            if (!long.TryParse(part.Value.AsSpan(0, part.Value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            seconds += n * (char.ToLowerInvariant(unit) switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 86400 });
        }

        // Beyond a year is a typo, and larger values overflow an interval comparison.
        if (seconds > 366 * 86400)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static readonly string[] MomentFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK",
    ];

    /// <summary>A date (midnight UTC) or a date and time, UTC unless it carries an offset: <c>2026-11-25</c>, <c>2026-11-25T13:00Z</c>.</summary>
    public static bool TryParseMoment(string text, out DateTimeOffset moment) =>
        DateTimeOffset.TryParseExact(text, MomentFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out moment);

    /// <summary>
    /// A chat user as typed: <c>alice</c>, <c>@alice</c>, or a mention (<c>&lt;@U123|alice&gt;</c> in Slack,
    /// <c>&lt;@123&gt;</c> or <c>&lt;@!123&gt;</c> in Discord), which names the user by id.
    /// </summary>
    private static string ChatUserName(string value)
    {
        var mention = MentionPattern().Match(value);
        return mention.Success ? mention.Groups["id"].Value : value.TrimStart('@') is { Length: > 0 } name ? name : value;
    }

    [GeneratedRegex(@"^<@!?(?<id>[A-Za-z0-9]+)(\|[^>]*)?>$")]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"^(?<part>\d{1,9}[smhdSMHD])+$")]
    private static partial Regex DurationPattern();

    private static bool TryParsePid(string text, out int pid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;

    private static bool TryParseBounded(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool LooksLikeNumber(string word) =>
        word.Length > 0 && (char.IsAsciiDigit(word[0]) || ((word[0] == '-' || word[0] == '+') && word.Length > 1));

    private static string PidError(string value, VerbSpec spec) =>
        $"'{Clip(value)}' is not a pid: a pid is a whole number from 1 to {int.MaxValue}, e.g. `/pg {spec.Name} 12345`.";

    private static string Twice(string key, CommandArgument first, CommandArgument second) =>
        $"{key} is given twice ('{Clip(first.Raw)}' and '{Clip(second.Raw)}'): give it once.";

    private static string BareWordError(VerbSpec spec, CommandArgument arg)
    {
        if (spec.Pid == PidUse.None && LooksLikeNumber(arg.Value))
        {
            return $"{spec.Name} takes no pid ('{Clip(arg.Raw)}'). For one session use `/pg show {Clip(arg.Value)}`.";
        }
        var example = spec.Keys.Count > 0 ? CommandGrammar.FindKey(spec.Keys[0])!.Example : null;
        return example is null
            ? $"'{Clip(arg.Raw)}' is not understood: {spec.Name} takes nothing more. Form: `/pg {spec.Usage}`."
            : $"'{Clip(arg.Raw)}' is not understood: filters are key=value, e.g. {example}. Form: `/pg {spec.Usage}`.";
    }

    private static string UnknownKey(VerbSpec spec, CommandArgument arg)
    {
        var key = arg.Key!;
        var nearest = spec.Keys
            .Select(k => (Key: k, Distance: EditDistance(k, key.ToLowerInvariant())))
            .Where(x => x.Distance <= 2)
            .OrderBy(x => x.Distance)
            .Select(x => x.Key)
            .FirstOrDefault();
        var hint = nearest is null ? "" : $" Did you mean {nearest}?";
        var keys = spec.Keys.Count == 0 ? "none" : string.Join(", ", spec.Keys.Select(k => k + CommandGrammar.FindKey(k)!.Operator));
        return $"Unknown filter '{Clip(key)}' in '{Clip(arg.Raw)}'.{hint} {spec.Name} takes: {keys}.";
    }

    /// <summary>Splits on white space; double, single and typographic quotes group words, after = or ~ or around a word.</summary>
    private static (List<CommandArgument> Words, string? Error) Tokenize(string text)
    {
        var words = new List<CommandArgument>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var current = new StringBuilder();
            string? key = null;
            var op = "";
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                var c = text[i];
                var atValueStart = current.Length == 0;
                if (atValueStart && ClosingQuote(c) is { } close)
                {
                    var end = FindClose(text, i + 1, close, c);
                    if (end < 0)
                    {
                        return (words, $"Unclosed quote in '{Clip(text[start..])}': close it, e.g. query~\"select 1\".");
                    }
                    current.Append(text, i + 1, end - i - 1);
                    i = end + 1;
                    continue;
                }
                if (key is null && (c == '=' || c == '~') && current.Length > 0 && IsKeyWord(current))
                {
                    key = current.ToString();
                    op = c.ToString();
                    current.Clear();
                    i++;
                    continue;
                }
                current.Append(c);
                i++;
            }

            words.Add(new CommandArgument(key, op, current.ToString(), text[start..i]));
        }
        return (words, null);
    }

    private static bool IsKeyWord(StringBuilder sb)
    {
        for (var j = 0; j < sb.Length; j++)
        {
            if (!char.IsAsciiLetter(sb[j]) && sb[j] != '_')
            {
                return false;
            }
        }
        return true;
    }

    private static char? ClosingQuote(char c) => c switch
    {
        '"' => '"',
        '\'' => '\'',
        '\u201C' => '\u201D',
        // Some keyboards open with ” (Swedish, Finnish) or „ (German): accept those too.
        '\u201D' => '\u201D',
        '\u201E' => '\u201C',
        '\u2018' => '\u2019',
        _ => null,
    };

    private static int FindClose(string text, int from, char close, char open)
    {
        for (var j = from; j < text.Length; j++)
        {
            if (text[j] == close || (open is '"' or '\u201E' && text[j] == '\u201D'))
            {
                return j;
            }
        }
        return -1;
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary>Keeps an echoed word short, so an error message never grows with the input.</summary>
    internal static string Clip(string word)
    {
        if (word.Length <= 60)
        {
            return word;
        }
        // Never cut a surrogate pair in half: the platforms reject or mangle a lone surrogate.
        var cut = char.IsHighSurrogate(word[56]) ? 56 : 57;
        return word[..cut] + "…";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
