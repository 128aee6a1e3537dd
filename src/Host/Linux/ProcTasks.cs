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
        Span<byte> stat = stackalloc byte[512];
        var length = ReadSmall($"/proc/{pid}/task/{tid}/stat", stat);
        var close = stat[..length].LastIndexOf((byte)')');
        return close >= 0 && close + 2 < length ? (char)stat[close + 2] : null;
    }

    /// <summary>
    /// Reads a small /proc file into <paramref name="buffer"/> with one read and no text decoding:
    /// a dump reads two per thread, so File.ReadAllText's machinery would show in its time. 0 when it cannot be read.
    /// </summary>
    private static unsafe int ReadSmall(string path, Span<byte> buffer)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
            return 0;
        try
        {
            fixed (byte* at = buffer)
                return (int)Math.Max(0, Libc.Read(fd, at, buffer.Length));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>The OS's name for the thread (comm: 15 bytes at most), or null.</summary>
    public static string? Name(int pid, int tid) => ProcFs.TryRead($"/proc/{pid}/task/{tid}/comm")?.TrimEnd('\n');

    /// <summary>
    /// The system call the thread is blocked in and its first argument (for futex, the word waited
    /// on), from /proc/PID/task/TID/syscall; null while it runs, outside a call, or when refused.
    /// </summary>
    public static (long Number, ulong FirstArgument)? BlockedCall(int pid, int tid)
    {
        Span<byte> bytes = stackalloc byte[256];
        var length = ReadSmall($"/proc/{pid}/task/{tid}/syscall", bytes);
        if (length == 0)
            return null;
        var parts = System.Text.Encoding.ASCII.GetString(bytes[..length]).Split(' ', 3);
        if (parts.Length < 2 || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < 0)
            return null;
        var argument = parts[1].StartsWith("0x", StringComparison.Ordinal) ? parts[1][2..] : parts[1];
        return ulong.TryParse(argument, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var first) ? (number, first) : null;
    }
}
