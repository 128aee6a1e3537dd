using System.Globalization;

namespace Host.Linux;

/// <summary>What /proc says about each thread (task) of a process, without attaching to it.</summary>
internal static class ProcTasks
{
    /// <summary>The thread ids of the process, or empty when it is gone.</summary>
    public static List<int> Ids(int pid)
    {
        var ids = new List<int>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                    ids.Add(tid);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
        return ids;
    }

    /// <summary>The thread's one-letter state (R running, S sleeping, D disk, T/t stopped, Z), or null if gone.</summary>
    public static char? State(int pid, int tid)
    {
        var stat = ProcFs.TryRead($"/proc/{pid}/task/{tid}/stat");
        var close = stat?.LastIndexOf(')') ?? -1;
        return close >= 0 && close + 2 < stat!.Length ? stat[close + 2] : null;
    }

    /// <summary>The OS's name for the thread (comm: 15 bytes at most), or null.</summary>
    public static string? Name(int pid, int tid) => ProcFs.TryRead($"/proc/{pid}/task/{tid}/comm")?.TrimEnd('\n');

    /// <summary>
    /// The system call the thread is blocked in and its first argument (for futex, the word waited
    /// on), from /proc/PID/task/TID/syscall; null while it runs, outside a call, or when refused.
    /// </summary>
    public static (long Number, ulong FirstArgument)? BlockedCall(int pid, int tid)
    {
        var text = ProcFs.TryRead($"/proc/{pid}/task/{tid}/syscall");
        if (text is null)
            return null;
        var parts = text.Split(' ', 3);
        if (parts.Length < 2 || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < 0)
            return null;
        var argument = parts[1].StartsWith("0x", StringComparison.Ordinal) ? parts[1][2..] : parts[1];
        return ulong.TryParse(argument, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var first) ? (number, first) : null;
    }
}
