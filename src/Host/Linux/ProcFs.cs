namespace Host.Linux;

/// <summary>Reads what /proc says about a process, without attaching to it.</summary>
internal static class ProcFs
{
    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>Exists and is not a zombie: it can still run and be attached to.</summary>
    public static bool IsAlive(int pid) => State(pid) is not (null or 'Z' or 'X');

    /// <summary>The one-letter state from /proc/PID/stat (R, S, D, T, t, Z...), or null if gone.</summary>
    public static char? State(int pid)
    {
        var stat = TryRead($"/proc/{pid}/stat");
        if (stat is null)
            return null;
        var close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
    }

    /// <summary>When the process started, in clock ticks since boot (/proc/PID/stat field 22), or null if gone.</summary>
    public static long? StartTime(int pid)
    {
        var stat = TryRead($"/proc/{pid}/stat");
        var close = stat?.LastIndexOf(')') ?? -1;
        if (close < 0)
            return null;
        // Fields after the command name start at field 3 (the state); the start time is field 22.
        var fields = stat!.AsSpan(close + 2);
        for (var field = 3; field < 22; field++)
        {
            var space = fields.IndexOf(' ');
            if (space < 0)
                return null;
            fields = fields[(space + 1)..];
        }
        var end = fields.IndexOf(' ');
        return long.TryParse(end < 0 ? fields : fields[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    /// <summary>The process a task id belongs to (Tgid): itself for a process, its process for a thread id.</summary>
    public static int? ThreadGroup(int pid) => StatusNumber(pid, "Tgid");

    /// <summary>A field of /proc/PID/status, e.g. "Uid" gives "0\t0\t0\t0".</summary>
    public static string? StatusField(int pid, string field)
    {
        var status = TryRead($"/proc/{pid}/status");
        if (status is null)
            return null;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return line[(field.Length + 1)..].Trim();
        }
        return null;
    }

    /// <summary>The first number of a status field (the real uid of "Uid", say).</summary>
    public static int? StatusNumber(int pid, string field)
    {
        var value = StatusField(pid, field);
        var first = value?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return int.TryParse(first, out var number) ? number : null;
    }

    public static string CommandLine(int pid)
    {
        var raw = TryRead($"/proc/{pid}/cmdline") ?? "";
        var text = raw.TrimEnd('\0').Replace('\0', ' ');
        return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
    }

    public static string? Executable(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The files mapped into the process, or null when we may not look (another user's process).</summary>
    public static IReadOnlyList<string>? MappedFiles(int pid, out bool denied)
    {
        denied = false;
        try
        {
            // A loop, not LINQ: LINQ over a struct is compiled at run time, on every run.
            var files = new List<string>();
            foreach (var mapping in ProcMaps.Read(pid))
            {
                if (mapping.Path is ['/', ..])
                    files.Add(mapping.Path);
            }
            return files;
        }
        catch (UnauthorizedAccessException)
        {
            denied = true;
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Where a mapped file's start (its file offset 0) is mapped: that mapping's address range.</summary>
    public static (ulong Start, ulong End)? MappingOf(int pid, string path)
    {
        try
        {
            if (ProcMaps.FirstMappingOf(pid, path) is { } mapping)
                return (mapping.Start, mapping.End);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>The mount namespace identity, e.g. "mnt:[4026531841]", or null if unreadable.</summary>
    public static string? MountNamespace(string pid) => Namespace(pid, "mnt");

    /// <summary>The pid namespace identity, e.g. "pid:[4026531836]", or null if unreadable.</summary>
    public static string? PidNamespace(string pid) => Namespace(pid, "pid");

    private static string? Namespace(string pid, string kind)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static IEnumerable<int> AllPids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
                yield return pid;
        }
    }

    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
