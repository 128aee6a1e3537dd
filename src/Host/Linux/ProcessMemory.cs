using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Host.Linux;

/// <summary>
/// Reads another process's memory without stopping it: process_vm_readv, several ranges in one
/// system call, with /proc/PID/mem as the fallback where that call is refused (some seccomp
/// profiles) or missing. Needs the permission ptrace's attach needs (same user and
/// ptrace_scope, or CAP_SYS_PTRACE). A range that is not mapped reads as nothing: every read
/// says how much it got, and a caller validates what it reads before it follows a pointer.
/// </summary>
internal sealed unsafe partial class ProcessMemory(int pid) : IDisposable
{
    // Linux's IOV_MAX: the most ranges one process_vm_readv takes.
    private const int MaxRanges = 1024;
    private const int ENOSYS = 38, EPERM = 1, ESRCH = 3;
    private SafeFileHandle? _mem;
    private bool _useMemFile;

    public int Pid { get; } = pid;

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="address"/>; true only when all of them were read.</summary>
    public bool TryRead(ulong address, Span<byte> buffer) => Read(address, buffer) == buffer.Length;

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; how many were read (0 for an unmapped address).</summary>
    public int Read(ulong address, Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        fixed (byte* local = buffer)
        {
            var localRange = new IoVec { Base = local, Length = (nuint)buffer.Length };
            var remoteRange = new IoVec { Base = (byte*)address, Length = (nuint)buffer.Length };
            if (!_useMemFile)
            {
                var read = ProcessVmReadv(Pid, &localRange, 1, &remoteRange, 1, 0);
                if (read >= 0)
                    return (int)read;
                var error = Marshal.GetLastPInvokeError();
                if (error == ESRCH)
                    throw new ProcessGoneException(Pid);
                if (error is not (ENOSYS or EPERM))
                    return 0;
                _useMemFile = true; // refused outright: the file may still be allowed
            }
        }
        return ReadMemFile(address, buffer);
    }

    /// <summary>
    /// Reads <paramref name="size"/> bytes at each of <paramref name="addresses"/>, range i into
    /// <paramref name="into"/>[i * size ..], in as few system calls as it can (a whole walk's level
    /// at once: every code object of a dump, every key of a dict). <paramref name="whole"/>[i] says
    /// whether range i was read whole; a range that was not is left as it was, and an address of 0
    /// (a pointer the caller found implausible) is not read at all.
    /// </summary>
    public void ReadEach(ReadOnlySpan<ulong> addresses, int size, Span<byte> into, Span<bool> whole)
    {
        if (into.Length < addresses.Length * size || whole.Length < addresses.Length)
            throw new ArgumentException("the buffers are smaller than the ranges");
        whole[..addresses.Length].Clear();
        var wanted = new List<int>(addresses.Length);
        for (var i = 0; i < addresses.Length; i++)
        {
            if (addresses[i] != 0)
                wanted.Add(i);
        }
        var next = 0;
        while (next < wanted.Count)
        {
            if (_useMemFile || size == 0)
            {
                for (; next < wanted.Count; next++)
                    whole[wanted[next]] = TryRead(addresses[wanted[next]], into.Slice(wanted[next] * size, size));
                return;
            }
            var count = Math.Min(MaxRanges, wanted.Count - next);
            var done = ReadBatch(addresses, wanted, next, count, size, into);
            for (var i = 0; i < done; i++)
                whole[wanted[next + i]] = true;
            next += done;
            // The call stops at the first range it cannot read: read that one alone, then batch the rest again.
            if (done < count && !_useMemFile)
            {
                whole[wanted[next]] = TryRead(addresses[wanted[next]], into.Slice(wanted[next] * size, size));
                next++;
            }
        }
    }

    /// <summary>One process_vm_readv of up to MaxRanges ranges of one size: how many leading ranges it read whole.</summary>
    private int ReadBatch(ReadOnlySpan<ulong> addresses, List<int> wanted, int first, int count, int size, Span<byte> into)
    {
        var local = stackalloc IoVec[count];
        var remote = stackalloc IoVec[count];
        fixed (byte* start = into)
        {
            for (var i = 0; i < count; i++)
            {
                var range = wanted[first + i];
                local[i] = new IoVec { Base = start + (long)range * size, Length = (nuint)size };
                remote[i] = new IoVec { Base = (byte*)addresses[range], Length = (nuint)size };
            }
            var read = ProcessVmReadv(Pid, local, (nuint)count, remote, (nuint)count, 0);
            if (read < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == ESRCH)
                    throw new ProcessGoneException(Pid);
                if (error is ENOSYS or EPERM)
                    _useMemFile = true; // refused outright: the caller reads each range through the file
                return 0;
            }
            return (int)(read / size);
        }
    }

    private int ReadMemFile(ulong address, Span<byte> buffer)
    {
        if (address > long.MaxValue)
            return 0;
        try
        {
            _mem ??= File.OpenHandle($"/proc/{Pid}/mem");
            return RandomAccess.Read(_mem, buffer, (long)address);
        }
        catch (FileNotFoundException)
        {
            throw new ProcessGoneException(Pid);
        }
        catch (DirectoryNotFoundException)
        {
            throw new ProcessGoneException(Pid);
        }
        catch (IOException)
        {
            return 0; // EIO: not mapped
        }
    }

    public void Dispose() => _mem?.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport("libc", EntryPoint = "process_vm_readv", SetLastError = true)]
    private static partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);
}

/// <summary>The process a <see cref="ProcessMemory"/> reads has exited.</summary>
internal sealed class ProcessGoneException(int pid) : IOException($"process {pid} has exited")
{
    public int Pid { get; } = pid;
}
