using SkiaSharp;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>What a reader of a chart image would notice first: that it is a PNG and that something is drawn on it.</summary>
internal static class ChartPixels
{
    /// <summary>A PNG with many colours, and enough non-white pixels that the stacked series, not just axes, are drawn.</summary>
    public static void AssertNotBlank(byte[] png)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        var colours = new HashSet<SKColor>();
        var inked = 0;
        for (var y = 0; y < bitmap.Height; y += 4)
        {
            for (var x = 0; x < bitmap.Width; x += 4)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add(c);
                inked += c.Red + c.Green + c.Blue < 600 ? 1 : 0;
            }
        }
        Assert.True(colours.Count > 20, $"only {colours.Count} colours: a blank chart");
        Assert.True(inked > bitmap.Width * bitmap.Height / 16 / 5, $"only {inked} sampled pixels are not near white");
    }
}
