using CsCheck;
using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

public sealed class CommandParserPropertyTests
{
    private const int MaxErrorLength = 300;

    private static readonly string[] Words =
    [
        .. CommandGrammar.Verbs.Select(v => v.Name),
        .. CommandGrammar.Keys.Select(k => k.Name + k.Operator),
        .. CommandGrammar.Keys.Select(k => k.Example),
        .. CommandGrammar.States.Select(s => "state=" + s.Word),
        .. CommandGrammar.Sorts.Select(s => "sort=" + s.Word),
        "/pg", "/PG", "=", "~", "*", "\"", "'", "\u201C", "\u201D", "\u2018", "\u2019", "user=\"", "query~\"a b\"", "query~'x",
        "0", "-5", "12abc", "2147483647", "2147483648", "99999999999", "+1", "pid=", "limit=0", "limit=501", "last=0",
        "longer=", "longer=1h30m", "longer=999999999d", "longer=5x", "r_ab*", "user=r_ab*", "app=%_\\", "target=",
        "usr=x", "querry~y", "help", "kill", "ünïcödé", "😀", "\u0000", "\u200B", "=x", "a=b=c", "x~y~z",
    ];

    private static readonly Gen<string> Separator = Gen.OneOf(" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u2028", "");

    /// <summary>Sequences of words from the grammar and its usual mistakes.</summary>
    private static readonly Gen<string> GrammarInput =
        Gen.Select(Gen.OneOf(Words).Array[0, 12], Separator.Array[12], (words, seps) =>
            string.Concat(words.Select((w, i) => w + seps[i])));

    /// <summary>Anything at all, including control characters and lone surrogates.</summary>
    private static readonly Gen<string> AnyInput =
        Gen.Char.Array[0, 200].Select(chars => new string(chars));

    private static readonly Gen<string> Printable =
        Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~“”‘’…"]
            .Array[0, 120].Select(chars => new string(chars));

    private static void Holds(string input)
    {
        var result = CommandParser.Parse(input);
        if (result.IsSuccess)
        {
            Assert.Null(result.Error);
            var text = result.Command!.Text;
            Assert.DoesNotContain('\n', text);
            Assert.DoesNotContain('\r', text);
            Assert.DoesNotContain('\u2028', text);
        }
        else
        {
            Assert.Null(result.Command);
            Assert.False(string.IsNullOrWhiteSpace(result.Error));
            Assert.True(result.Error!.Length <= MaxErrorLength, $"{result.Error.Length} characters: {result.Error}");
        }
    }

    [Fact]
    public void No_sequence_of_grammar_words_throws_and_every_result_is_well_formed()
    {
        GrammarInput.Sample(Holds, iter: 20_000);
    }

    [Fact]
    public void No_random_string_throws_and_every_result_is_well_formed()
    {
        AnyInput.Sample(Holds, iter: 20_000);
        Printable.Sample(Holds, iter: 20_000);
    }

    [Fact]
    public void Grammar_words_with_the_prefix_and_random_values_never_throw()
    {
        Gen.Select(Gen.OneOf(CommandGrammar.Verbs.Select(v => v.Name).ToArray()), Gen.OneOf(CommandGrammar.Keys.ToArray()), Printable)
            .Sample((verb, key, value) => Holds($"/pg {verb} {key.Name}{key.Operator}{value}"), iter: 20_000);
    }

    [Fact]
    public void Discord_style_options_never_throw()
    {
        var arg = Gen.Select(Gen.OneOf(CommandGrammar.Keys.Select(k => (string?)k.Name).Append(null).Append("nope").ToArray()), Printable,
            (key, value) => new CommandArgument(key, key is null ? "" : "=", value, key is null ? value : $"{key}={value}"));
        Gen.Select(Gen.OneOf(CommandGrammar.Verbs.Select(v => v.Name).Append("nope").ToArray()), arg.Array[0, 6])
            .Sample((verb, args) =>
            {
                var result = CommandParser.Parse(verb, args);
                if (result.IsSuccess)
                {
                    Assert.DoesNotContain('\n', result.Command!.Text);
                }
                else
                {
                    Assert.True(result.Error!.Length <= MaxErrorLength, result.Error);
                }
            }, iter: 20_000);
    }

    [Fact]
    public void Errors_stay_short_however_long_the_words_are()
    {
        var longWord = Gen.Char["abcdefghijklmnopqrstuvwxyz_"].Array[61, 400].Select(c => new string(c));
        Gen.Select(Gen.OneOf(Words), longWord, Gen.OneOf("", "=", "~", "=\"", " "), longWord)
            .Sample((verb, a, op, b) =>
            {
                var result = CommandParser.Parse($"{verb} {a}{op}{b} {b}");
                Assert.True(result.IsSuccess || result.Error!.Length <= MaxErrorLength, result.Error);
            }, iter: 5_000);
    }

    [Fact]
    public void A_clipped_word_never_splits_a_surrogate_pair()
    {
        for (var prefix = 50; prefix < 62; prefix++)
        {
            var word = new string('a', prefix) + string.Concat(Enumerable.Repeat("😀", 40));

            var error = CommandParser.Parse("sessions state=" + word).Error!;

            for (var i = 0; i < error.Length; i++)
            {
                if (char.IsHighSurrogate(error[i]))
                {
                    Assert.True(i + 1 < error.Length && char.IsLowSurrogate(error[i + 1]), $"lone high surrogate at {i}: {error}");
                    i++;
                }
                else
                {
                    Assert.False(char.IsLowSurrogate(error[i]), $"lone low surrogate at {i}: {error}");
                }
            }
        }
    }

    [Fact]
    public void A_glob_pattern_never_leaves_a_like_wildcard_unescaped()
    {
        Printable.Sample(glob =>
        {
            var pattern = SessionFilter.ToLikePattern(glob);
            var stars = glob.Count(c => c == '*');
            var percents = 0;
            for (var i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '\\')
                {
                    Assert.True(i + 1 < pattern.Length && pattern[i + 1] is '%' or '_' or '\\', pattern);
                    i++;
                    continue;
                }
                Assert.NotEqual('_', pattern[i]);
                if (pattern[i] == '%')
                {
                    percents++;
                }
            }
            Assert.Equal(stars, percents);
        }, iter: 10_000);
    }
}
