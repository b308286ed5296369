using System.Text.Json;
using PgChatOps.Commands;
using PgChatOps.Discord;

namespace PgChatOps.Tests.Discord;

/// <summary>manifests/discord/commands.json and <see cref="CommandGrammar"/> describe the same commands, both ways.</summary>
public sealed class DiscordCommandsManifestTests
{
    private const int SubCommand = 1;
    private const int StringOption = 3;
    private const int IntegerOption = 4;
    private const int BooleanOption = 5;

    private static JsonElement Pg()
    {
        var path = DiscordCommandRegistration.FindManifest(AppContext.BaseDirectory)
            ?? throw new FileNotFoundException(DiscordCommandRegistration.ManifestPath);
        var doc = JsonDocument.Parse(File.ReadAllText(path));
        var command = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal("pg", command.GetProperty("name").GetString());
        Assert.Equal(1, command.GetProperty("type").GetInt32());
        return command;
    }

    private static List<JsonElement> Options(JsonElement e) =>
        e.TryGetProperty("options", out var o) ? o.EnumerateArray().ToList() : [];

    [Fact]
    public void Item4_the_pg_command_is_offered_in_guilds_only_and_only_as_a_guild_install()
    {
        const int Guild = 0;
        const int GuildInstall = 0;
        var pg = Pg();

        Assert.Equal([Guild], pg.GetProperty("contexts").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal([GuildInstall], pg.GetProperty("integration_types").EnumerateArray().Select(c => c.GetInt32()));
        Assert.False(pg.TryGetProperty("dm_permission", out _));
    }

    [Fact]
    public void Every_subcommand_is_a_verb_and_every_verb_is_a_subcommand()
    {
        var subs = Options(Pg());
        Assert.All(subs, s => Assert.Equal(SubCommand, s.GetProperty("type").GetInt32()));
        Assert.Equal(
            CommandGrammar.Verbs.Select(v => v.Name).Order(StringComparer.Ordinal),
            subs.Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_option_is_a_key_its_verb_takes_and_every_key_is_an_option()
    {
        foreach (var sub in Options(Pg()))
        {
            var spec = CommandGrammar.FindVerb(sub.GetProperty("name").GetString()!)!;
            // sessions also takes the bare word csv, a boolean option on Discord.
            string[] words = spec.Verb == Verb.Sessions ? [CommandGrammar.SessionsCsv] : [];
            Assert.Equal(
                spec.Keys.Concat(words).Order(StringComparer.Ordinal),
                Options(sub).Select(o => o.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Option_types_ranges_and_choices_match_the_grammar()
    {
        foreach (var sub in Options(Pg()))
        {
            var spec = CommandGrammar.FindVerb(sub.GetProperty("name").GetString()!)!;
            var options = Options(sub);
            var seenOptional = false;
            foreach (var o in options)
            {
                var name = o.GetProperty("name").GetString()!;
                var required = o.TryGetProperty("required", out var r) && r.GetBoolean();
                Assert.False(required && seenOptional, $"{spec.Name}: required option {name} after an optional one");
                seenOptional |= !required;
                Assert.Equal(name == "pid" && spec.Pid == PidUse.Required, required);

                var type = o.GetProperty("type").GetInt32();
                switch (name)
                {
                    case "pid":
                        Assert.Equal(IntegerOption, type);
                        Assert.Equal(1, o.GetProperty("min_value").GetInt32());
                        break;
                    case "limit":
                        Assert.Equal(IntegerOption, type);
                        Assert.Equal(1, o.GetProperty("min_value").GetInt32());
                        Assert.Equal(CommandGrammar.MaxLimit, o.GetProperty("max_value").GetInt32());
                        break;
                    case "last" when spec.Verb == Verb.History:
                        Assert.Equal(StringOption, type);
                        Assert.Equal(["1h", "6h", "24h", "7d"], Choices(o));
                        break;
                    case "last":
                        Assert.Equal(IntegerOption, type);
                        Assert.Equal(1, o.GetProperty("min_value").GetInt32());
                        Assert.Equal(CommandGrammar.MaxLast, o.GetProperty("max_value").GetInt32());
                        break;
                    case "state":
                        Assert.Equal(StringOption, type);
                        Assert.Equal(CommandGrammar.States.Select(s => s.Word), Choices(o));
                        break;
                    case "csv":
                        Assert.Equal(BooleanOption, type);
                        Assert.Equal(Verb.Sessions, spec.Verb);
                        break;
                    case "sort":
                        Assert.Equal(StringOption, type);
                        Assert.Equal(CommandGrammar.Sorts.Select(s => s.Word), Choices(o));
                        break;
                    default:
                        Assert.Equal(StringOption, type);
                        break;
                }
            }
        }
    }

    [Fact]
    public void Every_choice_parses_as_a_command()
    {
        foreach (var sub in Options(Pg()))
        {
            foreach (var o in Options(sub).Where(o => o.TryGetProperty("choices", out _)))
            {
                foreach (var choice in Choices(o))
                {
                    var verb = sub.GetProperty("name").GetString()!;
                    var (text, _) = DiscordCommandText.Build(verb, [(o.GetProperty("name").GetString()!, choice)]);
                    var parsed = CommandParser.Parse(text);
                    Assert.True(parsed.IsSuccess, $"{text}: {parsed.Error}");
                }
            }
        }
    }

    [Fact]
    public void Names_and_descriptions_fit_Discord_rules()
    {
        void Check(JsonElement e)
        {
            var name = e.GetProperty("name").GetString()!;
            var description = e.GetProperty("description").GetString()!;
            Assert.Matches("^[-_a-z0-9]{1,32}$", name);
            Assert.InRange(description.Length, 1, 100);
            var options = Options(e);
            Assert.True(options.Count <= 25);
            options.ForEach(Check);
            if (e.TryGetProperty("choices", out var choices))
            {
                Assert.True(choices.GetArrayLength() <= 25);
            }
        }
        Check(Pg());
    }

    [Fact]
    public void Autocomplete_is_offered_for_target_user_db_and_app_and_never_beside_choices()
    {
        string[] completed = ["target", "user", "db", "app"];
        foreach (var sub in Options(Pg()))
        {
            foreach (var o in Options(sub))
            {
                var name = o.GetProperty("name").GetString()!;
                var auto = o.TryGetProperty("autocomplete", out var a) && a.GetBoolean();
                Assert.Equal(completed.Contains(name), auto);
                if (auto)
                {
                    Assert.False(o.TryGetProperty("choices", out _), $"{name}: autocomplete may not be set beside choices");
                    Assert.Equal(StringOption, o.GetProperty("type").GetInt32());
                }
            }
        }
    }

    private static List<string> Choices(JsonElement option) =>
        option.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("value").GetString()!).ToList();
}
