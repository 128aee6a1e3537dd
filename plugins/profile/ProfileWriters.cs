using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>The formats a profile is written in, and which one a run asked for.</summary>
internal static class ProfileWriters
{
    private static readonly ProfileFormat[] All = [new TextFormat(), new CollapsedFormat(), new JsonFormat(), new FlamegraphFormat(), new SpeedscopeFormat(), new PprofFormat()];

    public static readonly string[] Formats = [.. All.Select(f => f.Name)];

    /// <summary>
    /// The format --format names; without it, the one -o's file name ends with, the longest ending
    /// winning (x.speedscope.json is speedscope's, not json's); else text.
    /// </summary>
    public static ProfileFormat Choose(string? format, string? outputPath)
    {
        if (format is not null)
            return All.First(f => f.Name == format);
        if (outputPath is not null)
        {
            var chosen = All
                .SelectMany(f => f.Extensions.Select(e => (Format: f, Extension: e)))
                .Where(c => outputPath.EndsWith(c.Extension, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(c => c.Extension.Length)
                .Select(c => c.Format)
                .FirstOrDefault();
            if (chosen is not null)
                return chosen;
        }
        return All[0];
    }

    /// <summary>Writes the profile where the run's output goes: text to <see cref="ICapabilityContext.Output"/>, bytes to its binary output.</summary>
    public static void Write(ProfileResult result, ProfileFormat format, ICapabilityContext context)
    {
        if (format.Binary)
        {
            var stream = context.OpenBinaryOutput();
            format.Write(result, stream);
            stream.Flush();
            return;
        }
        using var buffer = new MemoryStream();
        format.Write(result, buffer);
        context.Output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
