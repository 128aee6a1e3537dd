using System.Runtime.InteropServices;
using System.Text;

namespace Host.Linux;

/// <summary>
/// Runs a short-lived helper program (host-inject) as a child process and collects what it prints.
/// </summary>
/// <remarks>
/// System.Diagnostics.Process costs tens of milliseconds on its first use (a dozen assemblies,
/// asynchronous pipe readers, a SIGCHLD handler); that was a fifth of a whole stack dump. host-inject
/// needs none of it: no stdin, a few lines on stdout and stderr, and its exit status.
/// Only this child's pid is ever waited for, so .NET's own child tracking is not disturbed.
/// </remarks>
internal static unsafe partial class ChildProcess
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
                pid = PosixSpawn.Start(program, arguments, stdout[1], stderr[1]);
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

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int PosixPipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);
}
