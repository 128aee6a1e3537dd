using System.Runtime.InteropServices;

namespace Host.Linux;

/// <summary>The few POSIX calls .NET has no API for: FIFOs, ownership, polling a raw descriptor.</summary>
internal static partial class Libc
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int O_DIRECTORY = 0x10000;
    public const int O_PATH = 0x200000;
    public const short POLLIN = 0x1;
    public const short POLLHUP = 0x10;
    public const short POLLERR = 0x8;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Chown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    public const int F_SETPIPE_SZ = 1031;

    [LibraryImport("libc", EntryPoint = "pread64", SetLastError = true)]
    public static unsafe partial nint PRead(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>lstat(2) on x86_64/aarch64 glibc, reduced to the owner, which sits at byte 28 (x86_64) or 24 (aarch64).</summary>
    public static unsafe int? OwnerOf(string path)
    {
        var buffer = stackalloc byte[256];
        if (LStat(path, buffer) != 0)
            return null;
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 28 : 24;
        return *(int*)(buffer + offset);
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int LStat(string path, byte* buffer);

    /// <summary>stat(2) reduced to what names a file: its device and inode (the first two fields on x86_64 and aarch64).</summary>
    public static unsafe (ulong Device, ulong Inode)? IdentityOf(string path)
    {
        var buffer = stackalloc byte[256];
        if (Stat(path, buffer) != 0)
            return null;
        return (*(ulong*)buffer, *(ulong*)(buffer + 8));
    }

    /// <summary>stat(2) says a regular file (st_mode at byte 24 on x86_64, 16 on aarch64): not a FIFO or device, which opening could block on.</summary>
    public static unsafe bool IsRegularFile(string path)
    {
        var buffer = stackalloc byte[256];
        if (Stat(path, buffer) != 0)
            return false;
        var mode = *(uint*)(buffer + (RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16));
        return (mode & 0xf000) == 0x8000;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial int GetEuid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
