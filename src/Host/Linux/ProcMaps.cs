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

    /// <summary>
    /// The first mapping of <paramref name="path"/> at file offset 0, or null. Only the lines that
    /// end with the path are parsed: the read from outside asks this on every run, and parsing every
    /// line of a large map costs more than the rest of the lookup.
    /// </summary>
    public static MapsEntry? FirstMappingOf(int pid, string path)
    {
        var text = ReadWhole($"/proc/{pid}/maps");
        for (var at = text.IndexOf(path, StringComparison.Ordinal); at >= 0; at = text.IndexOf(path, at + 1, StringComparison.Ordinal))
        {
            var end = at + path.Length;
            if (at == 0 || text[at - 1] != ' ' || (end < text.Length && text[end] != '\n'))
                continue;
            var start = text.LastIndexOf('\n', at) + 1;
            if (Parse(text[start..end]) is { Offset: 0 } entry && entry.Path == path)
                return entry;
        }
        return null;
    }

    /// <summary>
    /// The file's text by plain read(2) calls: File.ReadAllText's first use in a process costs more
    /// than the rest of the lookup. Throws what File.ReadAllText would for a missing or forbidden file.
    /// </summary>
    private static unsafe string ReadWhole(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw error is 1 or 13 ? new UnauthorizedAccessException(path) : new IOException($"{path}: errno {error}");
        }
        try
        {
            var buffer = new byte[64 * 1024];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
                nint read;
                fixed (byte* at = &buffer[length])
                    read = Libc.Read(fd, at, buffer.Length - length);
                if (read <= 0)
                    break;
                length += (int)read;
            }
            return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            Libc.Close(fd);
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
