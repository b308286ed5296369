using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace PgChatOps.Charts;

/// <summary>
/// The font every chart uses, loaded from this assembly. SkiaSharp's Linux NoDependencies build has no
/// fontconfig and a slim container has no fonts at all; without this, axis labels and titles would be blank.
/// </summary>
internal static class ChartFonts
{
    public const string Family = "PgChatOps Sans";

    private static readonly Lazy<SKTypeface> Regular = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Adds the embedded font to ScottPlot's resolvers, once per process.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }
            ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
            ScottPlot.Fonts.Default = Family;
            _registered = true;
        }
    }

    public static SKTypeface Typeface(bool bold) => bold ? Bold.Value : Regular.Value;

    private static SKTypeface Load(string file)
    {
        var name = $"PgChatOps.Charts.Fonts.{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded font {name} is missing from the build.");
        return SKTypeface.FromStream(stream)
            ?? throw new InvalidOperationException($"The embedded font {name} could not be read.");
    }

    private sealed class EmbeddedFontResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase) ? Typeface(bold) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase) ? Typeface(weight >= FontWeight.SemiBold) : null;
    }
}
