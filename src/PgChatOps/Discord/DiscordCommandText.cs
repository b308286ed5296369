using System.Globalization;
using System.Text;
using System.Text.Json;
using PgChatOps.Commands;

namespace PgChatOps.Discord;

/// <summary>
/// Turns <c>/pg &lt;subcommand&gt; [options]</c> into the command text Slack users type
/// (<c>kill pid=12345</c>, <c>sessions user="a b" query~"select 1"</c>), so one parser serves every platform.
/// Values are quoted so that no value can end its word early or smuggle in another key.
/// </summary>
public static class DiscordCommandText
{
    public const string CommandName = "pg";

    private const string SessionsVerb = "sessions";

    /// <summary>The quote pairs the parser knows, each with every character that would close it.</summary>
    private static readonly (char Open, char Close, char[] Closers)[] Quotes =
    [
        ('"', '"', ['"', '\u201D']),
        ('\'', '\'', ['\'']),
        ('\u201C', '\u201D', ['\u201D']),
        ('\u2018', '\u2019', ['\u2019']),
    ];

    /// <summary>From an APPLICATION_COMMAND's <c>data</c>: the text, or a one-line error for the user.</summary>
    public static (string? Text, string? Error) FromCommandData(JsonElement data)
    {
        var name = data.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (!string.Equals(name, CommandName, StringComparison.Ordinal))
        {
            return (null, $"This app only answers /{CommandName}; run `discord register` to update its commands.");
        }
        if (!data.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0)
        {
            return ("", null);
        }
        var sub = options[0];
        if (!sub.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.Number || type.GetInt32() != 1
            || !sub.TryGetProperty("name", out var verb) || verb.ValueKind != JsonValueKind.String)
        {
            return (null, $"Expected a subcommand of /{CommandName}, e.g. /{CommandName} sessions.");
        }

        var args = new List<(string, string)>();
        var csv = false;
        if (sub.TryGetProperty("options", out var subOptions) && subOptions.ValueKind == JsonValueKind.Array)
        {
            foreach (var option in subOptions.EnumerateArray())
            {
                var key = option.TryGetProperty("name", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
                if (!option.TryGetProperty("value", out var value))
                {
                    return (null, $"Option '{CommandParser.Clip(key)}' has no value.");
                }
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    // The one boolean option: sessions' csv, which is a bare word in the grammar.
                    if (key != CommandGrammar.SessionsCsv || verb.GetString() != SessionsVerb)
                    {
                        return (null, $"Option '{CommandParser.Clip(key)}' has a value of a kind PgChatOps does not take; use `/{CommandName} help`.");
                    }
                    csv = value.ValueKind == JsonValueKind.True;
                    continue;
                }
                var text = value.ValueKind switch
                {
                    JsonValueKind.String => StringKeepingLoneSurrogates(value),
                    JsonValueKind.Number when value.TryGetInt64(out var i) => i.ToString(CultureInfo.InvariantCulture),
                    _ => null,
                };
                if (text is null)
                {
                    return (null, $"Option '{CommandParser.Clip(key)}' has a value of a kind PgChatOps does not take; use `/{CommandName} help`.");
                }
                args.Add((key, text));
            }
        }
        var built = Build(verb.GetString()!, args);
        return csv && built.Text is { } command ? (command + " " + CommandGrammar.SessionsCsv, null) : built;
    }

    /// <summary>
    /// The string as sent. System.Text.Json refuses an escaped unpaired surrogate (valid JSON, invalid Unicode);
    /// decoding it here lets the parser refuse it with a clear message and the refusal be audited, instead of the
    /// whole interaction being dropped as malformed.
    /// </summary>
    private static string StringKeepingLoneSurrogates(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var raw = value.GetRawText();
            var sb = new StringBuilder(raw.Length);
            for (var i = 1; i < raw.Length - 1; i++)
            {
                if (raw[i] != '\\')
                {
                    sb.Append(raw[i]);
                    continue;
                }
                var e = raw[++i];
                if (e == 'u')
                {
                    sb.Append((char)int.Parse(raw.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    continue;
                }
                sb.Append(e switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => e });
            }
            return sb.ToString();
        }
    }

    /// <summary>Joins a verb and named options into command text, quoting each value safely.</summary>
    public static (string? Text, string? Error) Build(string verb, IEnumerable<(string Name, string Value)> options)
    {
        if (!IsPlainWord(verb))
        {
            return (null, $"Unknown subcommand '{CommandParser.Clip(verb)}'. Try `/{CommandName} help`.");
        }
        var sb = new StringBuilder(verb);
        foreach (var (name, value) in options)
        {
            if (!IsPlainWord(name))
            {
                return (null, $"Unknown option '{CommandParser.Clip(name)}'. Try `/{CommandName} help {verb}`.");
            }
            var quoted = Quote(value);
            if (quoted is null)
            {
                return (null, $"The value of {name} contains every kind of quote mark (\" ' “ ” ‘ ’), so it cannot be passed on safely. Use a fragment without one of them.");
            }
            sb.Append(' ').Append(name).Append(CommandGrammar.FindKey(name)?.Operator ?? "=").Append(quoted);
        }
        return (sb.ToString(), null);
    }

    /// <summary>The value as the parser will read it back unchanged, or null when no quote mark can hold it.</summary>
    internal static string? Quote(string value)
    {
        if (value.Length > 0 && !value.Any(char.IsWhiteSpace) && !Quotes.Any(q => q.Open == value[0]))
        {
            return value;
        }
        foreach (var (open, close, closers) in Quotes)
        {
            if (value.IndexOfAny(closers) < 0)
            {
                return open + value + close;
            }
        }
        return null;
    }

    private static bool IsPlainWord(string word) => word.Length > 0 && word.All(c => char.IsAsciiLetter(c) || c == '_');
}
