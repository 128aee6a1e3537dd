using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Host.Injection.Ptrace;

/// <summary>
/// Runs host-inject as a child process with posix_spawn and collects what it prints.
/// </summary>
/// <remarks>
/// System.Diagnostics.Process costs tens of milliseconds on its first use (a dozen assemblies,
/// asynchronous pipe readers, a SIGCHLD handler); that was a fifth of a whole stack dump. host-inject
/// needs none of it: no stdin, a few lines on stdout and stderr, and its exit status.
/// Only this child's pid is ever waited for, so .NET's own child tracking is not disturbed.
/// </remarks>
internal static unsafe partial class InjectorProcess
{
    public sealed record Result(string Output, string Errors, int ExitCode, bool Overran, bool Finished, bool Started = true)
    {
        public static Result NotStarted(string why) => new("", why, -1, Overran: false, Finished: true, Started: false);
    }

    /// <summary>
    /// Starts program and reads its output until it exits. A run that passes softLimit is marked
    /// Overran and still waited for (it never stops half-way through a call in the target), up to
    /// hardLimit; past that it is left to finish on its own and Finished is false. A program that
    /// cannot be started (a noexec mount, say) gives Started false and the reason in Errors.
    /// </summary>
    public static Result Run(string program, IReadOnlyList<string> arguments, TimeSpan softLimit, TimeSpan hardLimit)
    {
        var stdout = Pipe();
        var stderr = Pipe();
        try
        {
            int pid;
            try
            {
                pid = Spawn(program, arguments, stdout[1], stderr[1]);
            }
            catch (IOException error)
            {
                return Result.NotStarted(error.Message);
            }
            finally
            {
                Libc.Close(stdout[1]);
                Libc.Close(stderr[1]);
            }
            var output = new MemoryStream();
            var errors = new MemoryStream();
            var start = Environment.TickCount64;
            var overran = false;
            var open = 2;
            var fds = stackalloc Libc.PollFd[2];
            fds[0] = new Libc.PollFd { Fd = stdout[0], Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = stderr[0], Events = Libc.POLLIN };
            var buffer = stackalloc byte[4096];
            while (open > 0)
            {
                var elapsed = Environment.TickCount64 - start;
                if (elapsed >= (long)hardLimit.TotalMilliseconds)
                    return new Result(Text(output), Text(errors), -1, Overran: true, Finished: false);
                overran |= elapsed >= (long)softLimit.TotalMilliseconds;
                var ready = Libc.Poll(fds, 2, (int)Math.Min(1000, (long)hardLimit.TotalMilliseconds - elapsed));
                if (ready < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
                    throw new IOException($"poll on host-inject's output failed (errno {Marshal.GetLastPInvokeError()})");
                for (var i = 0; i < 2 && ready > 0; i++)
                {
                    if (fds[i].Fd < 0 || fds[i].Revents == 0)
                        continue;
                    var count = Libc.Read(fds[i].Fd, buffer, 4096);
                    if (count > 0)
                        (i == 0 ? output : errors).Write(new ReadOnlySpan<byte>(buffer, (int)count));
                    else if (count == 0 || Marshal.GetLastPInvokeError() != Libc.EINTR)
                    {
                        fds[i].Fd = -1; // poll ignores negative descriptors
                        open--;
                    }
                }
            }
            return new Result(Text(output), Text(errors), WaitForExit(pid), overran, Finished: true);
        }
        finally
        {
            Libc.Close(stdout[0]);
            Libc.Close(stderr[0]);
        }
    }

    private static string Text(MemoryStream stream) => Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);

    private static int[] Pipe()
    {
        var fds = new int[2];
        fixed (int* pointer = fds)
        {
            if (PosixPipe2(pointer, Libc.O_CLOEXEC) != 0)
                throw new IOException($"pipe2 failed (errno {Marshal.GetLastPInvokeError()})");
        }
        return fds;
    }

    private static int Spawn(string program, IReadOnlyList<string> arguments, int stdoutFd, int stderrFd)
    {
        // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128:
        // generous buffers keep this independent of the exact sizes.
        var actions = stackalloc byte[512];
        var attributes = stackalloc byte[1024];
        var signals = stackalloc byte[256];
        var argv = ToCStrings([program, .. arguments]);
        var envp = ToCStrings(EnvironmentStrings());
        try
        {
            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            Check(AddOpen(actions, 0, "/dev/null", Libc.O_RDONLY, 0), "posix_spawn_file_actions_addopen");
            Check(AddDup2(actions, stdoutFd, 1), "posix_spawn_file_actions_adddup2");
            Check(AddDup2(actions, stderrFd, 2), "posix_spawn_file_actions_adddup2");
            Check(AttrInit(attributes), "posix_spawnattr_init");
            // The child starts with no blocked signals and default dispositions, whatever the
            // runtime's threads have set; host-inject chooses which ones it ignores.
            SigEmptySet(signals);
            Check(AttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            SigFillSet(signals);
            Check(AttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(AttrSetFlags(attributes, PosixSpawnSetSigDef | PosixSpawnSetSigMask), "posix_spawnattr_setflags");
            int pid;
            var error = PosixSpawn(&pid, program, actions, attributes, argv, envp);
            if (error != 0)
                throw new IOException($"could not start {program}: {Marshal.GetPInvokeErrorMessage(error)}");
            return pid;
        }
        finally
        {
            FileActionsDestroy(actions);
            AttrDestroy(attributes);
            FreeCStrings(argv);
            FreeCStrings(envp);
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
            throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    // .NET keeps its own copy of the environment (Environment.SetEnvironmentVariable does not
    // change libc's), so the child gets that copy, as Process.Start would give it.
    private static List<string> EnvironmentStrings()
    {
        var variables = new List<string>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            variables.Add($"{variable.Key}={variable.Value}");
        return variables;
    }

    private static byte** ToCStrings(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
            array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
        return array;
    }

    private static void FreeCStrings(byte** array)
    {
        for (var entry = array; *entry != null; entry++)
            Marshal.FreeCoTaskMem((nint)(*entry));
        NativeMemory.Free(array);
    }

    private static int WaitForExit(int pid)
    {
        int status;
        while (WaitPid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                return -1;
        }
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    private const short PosixSpawnSetSigDef = 0x04;
    private const short PosixSpawnSetSigMask = 0x08;

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int PosixPipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int PosixSpawn(int* pid, string path, byte* fileActions, byte* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AddOpen(byte* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int AddDup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int AttrInit(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int AttrDestroy(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int AttrSetFlags(byte* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int AttrSetSigMask(byte* attributes, byte* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int AttrSetSigDefault(byte* attributes, byte* signals);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SigEmptySet(byte* signals);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    private static partial int SigFillSet(byte* signals);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);
}
