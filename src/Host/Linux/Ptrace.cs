using System.Runtime.InteropServices;

namespace Host.Linux;

/// <summary>The ptrace(2) and waitpid(2) calls that stopping a process's threads for a moment needs.</summary>
internal static partial class Ptrace
{
    public const int Seize = 0x4206, Interrupt = 0x4207, Detach = 17;
    public const int WaitAll = 0x40000000, NoHang = 1;
    public const int EventStop = 128;
    public const int EPERM = 1, ESRCH = 3, EINTR = 4;

    [LibraryImport("libc", EntryPoint = "ptrace", SetLastError = true)]
    public static partial long Call(long request, int tid, nint address, nint data);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static unsafe partial int WaitPid(int tid, int* status, int options);

    public static bool IsStopped(int status) => (status & 0xff) == 0x7f;

    public static int StopSignal(int status) => (status >> 8) & 0xff;

    /// <summary>The stop is PTRACE_INTERRUPT's (or a group stop) rather than a signal on its way in.</summary>
    public static bool IsEventStop(int status) => status >> 16 == EventStop;
}
