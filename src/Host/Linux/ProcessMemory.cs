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
    /// Reads many ranges in as few system calls as it can, each into its own part of
    /// <paramref name="buffers"/>. Returns, per range, whether it was read whole.
    /// </summary>
    public bool[] ReadMany(IReadOnlyList<ulong> addresses, IReadOnlyList<Memory<byte>> buffers)
    {
        var whole = new bool[addresses.Count];
        for (var start = 0; start < addresses.Count; start += MaxRanges)
        {
            var count = Math.Min(MaxRanges, addresses.Count - start);
            if (_useMemFile || !ReadBatch(addresses, buffers, start, count, whole))
            {
                for (var i = start; i < start + count; i++)
                    whole[i] = TryRead(addresses[i], buffers[i].Span);
            }
        }
        return whole;
    }

    // One process_vm_readv for up to MaxRanges ranges. It stops at the first range it cannot read,
    // so the ranges after that one are read one by one. False when the call is refused outright.
    private bool ReadBatch(IReadOnlyList<ulong> addresses, IReadOnlyList<Memory<byte>> buffers, int start, int count, bool[] whole)
    {
        var handles = new System.Buffers.MemoryHandle[count];
        var local = stackalloc IoVec[count];
        var remote = stackalloc IoVec[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                handles[i] = buffers[start + i].Pin();
                local[i] = new IoVec { Base = (byte*)handles[i].Pointer, Length = (nuint)buffers[start + i].Length };
                remote[i] = new IoVec { Base = (byte*)addresses[start + i], Length = (nuint)buffers[start + i].Length };
            }
            var read = ProcessVmReadv(Pid, local, (nuint)count, remote, (nuint)count, 0);
            if (read < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == ESRCH)
                    throw new ProcessGoneException(Pid);
                if (error is ENOSYS or EPERM)
                {
                    _useMemFile = true;
                    return false;
                }
                read = 0;
            }
            var done = 0;
            for (; done < count && read >= (nint)local[done].Length; done++)
            {
                whole[start + done] = true;
                read -= (nint)local[done].Length;
            }
            for (var i = done; i < count; i++)
                whole[start + i] = TryRead(addresses[start + i], buffers[start + i].Span);
            return true;
        }
        finally
        {
            foreach (var handle in handles)
                handle.Dispose();
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
