using System.Globalization;

namespace Host.Linux;

/// <summary>One line of /proc/PID/maps: an address range, the file offset it maps, and what it maps.</summary>
/// <param name="Path">The file (with " (deleted)" when it was removed), a "[name]" such as [heap], or null for anonymous memory.</param>
internal sealed record MapsEntry(ulong Start, ulong End, ulong Offset, string? Path);

/// <summary>
/// The one reader of /proc/PID/maps on the C# side (host-inject reads the same format in C, in
/// modules.c, while it holds the target stopped; the kernel's format is the contract between them).
/// </summary>
internal static class ProcMaps
{
    /// <summary>Every mapping, in address order. Throws what reading /proc throws (UnauthorizedAccessException, IOException).</summary>
    public static IEnumerable<MapsEntry> Read(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            if (Parse(line) is { } entry)
                yield return entry;
        }
    }

    /// <summary>"start-end perms offset dev inode [path]", or null for a line of another shape.</summary>
    public static MapsEntry? Parse(string line)
    {
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5)
            return null;
        var range = fields[0].Split('-');
        if (range.Length != 2 || !Hex(range[0], out var start) || !Hex(range[1], out var end) || !Hex(fields[2], out var offset))
            return null;
        var path = fields.Length == 6 ? fields[5].Trim() : null;
        return new MapsEntry(start, end, offset, string.IsNullOrEmpty(path) ? null : path);
    }

    private static bool Hex(string text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
