using System.Globalization;

namespace Host.Linux;

/// <summary>
/// What each thread of one process is doing, read again and again, as a sampler asks many times
/// a second: each thread's /proc stat (and syscall) file is opened once and read from its start
/// with pread, which makes /proc write it afresh, so a read costs one system call instead of
/// three. A thread that is gone reads as nothing and its files are closed.
/// </summary>
internal sealed unsafe class TaskStatusFiles(int pid) : IDisposable
{
    private readonly Dictionary<int, int> _stat = [];
    private readonly Dictionary<int, int> _syscall = [];
    private readonly byte[] _buffer = new byte[512];

    /// <summary>The thread's one-letter state (R, S, D, T, t, Z...), or null when it is gone.</summary>
    public char? State(int tid)
    {
        var length = ReadFresh(_stat, tid, "stat");
        var close = _buffer.AsSpan(0, length).LastIndexOf((byte)')');
        return close >= 0 && close + 2 < length ? (char)_buffer[close + 2] : null;
    }

    /// <summary>The system call the thread is blocked in and its first argument; null while it runs, or when refused or gone.</summary>
    public SystemCall? BlockedCall(int tid)
    {
        var length = ReadFresh(_syscall, tid, "syscall");
        if (length == 0)
            return null;
        var text = _buffer.AsSpan(0, length);
        var space = text.IndexOf((byte)' ');
        if (space <= 0 || !long.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null; // "running", or -1 (not in a call)
        var rest = text[(space + 1)..];
        var end = rest.IndexOf((byte)' ');
        var argument = end < 0 ? rest : rest[..end];
        if (argument.StartsWith("0x"u8))
            argument = argument[2..];
        return ulong.TryParse(argument, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var first) ? new SystemCall(number, first) : null;
    }

    /// <summary>Closes the files of threads not in <paramref name="alive"/>.</summary>
    public void Keep(IReadOnlyCollection<int> alive)
    {
        foreach (var files in new[] { _stat, _syscall })
        {
            foreach (var tid in files.Keys.Where(t => !alive.Contains(t)).ToList())
            {
                Libc.Close(files[tid]);
                files.Remove(tid);
            }
        }
    }

    private int ReadFresh(Dictionary<int, int> files, int tid, string name)
    {
        if (!files.TryGetValue(tid, out var fd))
        {
            fd = Libc.Open($"/proc/{pid}/task/{tid}/{name}", Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd < 0)
                return 0;
            files[tid] = fd;
        }
        nint read;
        fixed (byte* at = _buffer)
            read = Libc.PRead(fd, at, _buffer.Length, 0);
        if (read > 0)
            return (int)read;
        // ESRCH once the thread has exited: its file will never read again.
        Libc.Close(fd);
        files.Remove(tid);
        return 0;
    }

    public void Dispose()
    {
        foreach (var fd in _stat.Values.Concat(_syscall.Values))
            Libc.Close(fd);
        _stat.Clear();
        _syscall.Clear();
    }
}
