using System.Globalization;

namespace Host.Plugins.Profile;

/// <summary>
/// The fill of a flame graph's frame. A function's is a warm colour picked by a hash of its name:
/// the same function has the same colour in every graph and in every run, and neighbours told apart.
/// The frames that are not functions (all, processes, threads) have quiet colours of their own.
/// </summary>
internal static class FlameColours
{
    public static string For(FrameNode node) => node.Kind switch
    {
        FrameNodeKind.All => "#d3d3d3",
        FrameNodeKind.Process => "#b7cfe4",
        FrameNodeKind.Thread => "#c9d9b4",
        _ => Warm(node.Name),
    };

    /// <summary>A colour between red and yellow, from the name alone.</summary>
    public static string Warm(string name)
    {
        var hash = Fnv1a(name);
        // Three independent bytes of the hash: hue 0-50° (red to orange-yellow), and saturation and
        // lightness in ranges where black text stays readable.
        var hue = (hash & 0xFF) / 255.0 * 50;
        var saturation = 0.75 + ((hash >> 8) & 0xFF) / 255.0 * 0.2;
        var lightness = 0.55 + ((hash >> 16) & 0xFF) / 255.0 * 0.12;
        return Hex(hue, saturation, lightness);
    }

    // string.GetHashCode differs from run to run; a colour must not.
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        // Fold the high bits down: short names that differ in their last character differ there mostly.
        return hash ^ (hash >> 24);
    }

    private static string Hex(double hue, double saturation, double lightness)
    {
        var chroma = (1 - Math.Abs(2 * lightness - 1)) * saturation;
        var second = chroma * (1 - Math.Abs(hue / 60 % 2 - 1));
        var match = lightness - chroma / 2;
        // Hue stays below 60°: red is the largest component, green the second, blue the smallest.
        return string.Create(CultureInfo.InvariantCulture, $"#{Byte(chroma + match):x2}{Byte(second + match):x2}{Byte(match):x2}");
    }

    private static int Byte(double component) => (int)Math.Round(Math.Clamp(component, 0, 1) * 255);
}
