using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PgChatOps.Hosting;

/// <summary>
/// Binds the <c>PgChatOps</c> section. A value the binder cannot convert (a TTL of "5 minutes") becomes the
/// same one-line settings failure as any other, naming the key, instead of the binder's exception.
/// </summary>
public static partial class SettingsBinding
{
    public static PgChatOpsOptions Bind(IConfiguration configuration)
    {
        var options = new PgChatOpsOptions();
        Bind(configuration, options);
        return options;
    }

    public static void Bind(IConfiguration configuration, PgChatOpsOptions options)
    {
        try
        {
            configuration.GetSection(PgChatOpsOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(PgChatOpsOptions.Section, typeof(PgChatOpsOptions), [Describe(ex)]);
        }
    }

    internal static string Describe(InvalidOperationException ex)
    {
        var m = FailedConversion().Match(ex.Message);
        if (!m.Success)
        {
            return ex.Message;
        }
        var (key, type) = (m.Groups["key"].Value, m.Groups["type"].Value);
        return type switch
        {
            "System.TimeSpan" => $"{key} is not a duration: write hh:mm:ss, e.g. 00:05:00",
            "System.Int32" or "System.Int64" => $"{key} is not a whole number",
            "System.Boolean" => $"{key} is not true or false",
            _ => $"{key} cannot be read as {type}",
        };
    }

    [GeneratedRegex("at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex FailedConversion();
}
