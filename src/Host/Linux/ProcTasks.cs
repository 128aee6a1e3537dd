using System.Globalization;

namespace Host.Linux;

/// <summary>What /proc says about each thread (task) of a process, without attaching to it.</summary>
internal static partial class ProcTasks
{
    /// <summary>
    /// The thread ids of the process, or empty when it is gone: /proc/PID/task's entries, by
    /// opendir/readdir (a dump lists them up to three times, and .NET's directory enumeration costs
    /// more on its first use than all the reads of a dump).
    /// </summary>
    public static unsafe List<int> Ids(int pid)
    {
        var ids = new List<int>();
        var directory = OpenDir($"/proc/{pid}/task");
        if (directory == 0)
            return ids;
        try
        {
            for (var entry = ReadDir(directory); entry != 0; entry = ReadDir(directory))
            {
                // struct dirent (glibc, 64-bit): d_ino, d_off, d_reclen (2), d_type (1), then d_name.
                var name = (byte*)entry + 19;
                var tid = 0;
                var digits = 0;
                for (; digits < 10 && name[digits] is >= (byte)'0' and <= (byte)'9'; digits++)
                    tid = tid * 10 + (name[digits] - '0');
                if (digits > 0 && name[digits] == 0)
                    ids.Add(tid);
            }
        }
        finally
        {
            CloseDir(directory);
        }
        return ids;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial nint OpenDir(string path);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "readdir64")]
    private static partial nint ReadDir(nint directory);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint directory);

    /// <summary>
    /// Each thread's id as the process itself sees it, beside host's: a process in a PID namespace of
    /// its own (a container) records its threads by its own ids (gettid() there), and /proc names them
    /// by host's. From the NSpid line of each task's status, whose last field is the innermost id.
    /// </summary>
    public static TaskIds Ids(int pid, out int innerPid)
    {
        var hosts = Ids(pid);
        innerPid = Innermost($"/proc/{pid}/status") ?? pid;
        if (innerPid == pid)
            return new TaskIds(hosts, hosts);
        var inner = new List<int>(hosts.Count);
        foreach (var tid in hosts)
            inner.Add(Innermost($"/proc/{pid}/task/{tid}/status") ?? tid);
        return new TaskIds(hosts, inner);
    }

    private static int? Innermost(string status)
    {
        Span<byte> bytes = stackalloc byte[4096];
        var length = ReadSmall(status, bytes);
        var text = System.Text.Encoding.ASCII.GetString(bytes[..length]);
        var at = text.IndexOf("\nNSpid:", StringComparison.Ordinal);
        if (at < 0)
            return null;
        var end = text.IndexOf('\n', at + 1);
        var fields = text[(at + 7)..(end < 0 ? text.Length : end)].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && int.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
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
    public static SystemCall? BlockedCall(int pid, int tid)
    {
        Span<byte> bytes = stackalloc byte[256];
        var length = ReadSmall($"/proc/{pid}/task/{tid}/syscall", bytes);
        if (length == 0)
            return null;
        var parts = System.Text.Encoding.ASCII.GetString(bytes[..length]).Split(' ', 3);
        if (parts.Length < 2 || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < 0)
            return null;
        var argument = parts[1].StartsWith("0x", StringComparison.Ordinal) ? parts[1][2..] : parts[1];
        return ulong.TryParse(argument, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var first) ? new SystemCall(number, first) : null;
    }
}

/// <summary>A system call a thread is blocked in: its number and first argument.</summary>
/// <remarks>A class, not a tuple: the framework's generics over value types are compiled at run time on every run.</remarks>
internal sealed record SystemCall(long Number, ulong FirstArgument);

/// <summary>A process's threads: host's ids (for /proc and ptrace) and, in the same order, the process's own.</summary>
internal sealed record TaskIds(List<int> Host, List<int> Inner)
{
    /// <summary>Host's id for the thread the process calls <paramref name="inner"/>, or null.</summary>
    public int? HostOf(int inner)
    {
        var at = Inner.IndexOf(inner);
        return at < 0 ? null : Host[at];
    }
}
