using Host.Abstractions;
using Host.Linux;

namespace Host.Injection;

/// <summary>
/// What injecting needs beyond a live CPython process: that it runs (not stopped, so that no
/// transport resumes what its owner stopped) and has no other tracer (a process has one at a
/// time). Reading from outside needs neither; hence this lives here, not in the inspection.
/// </summary>
internal static class InjectionPreconditions
{
    public static void Check(int pid)
    {
        switch (ProcFs.State(pid))
        {
            case 'T':
                throw new CapabilityException(ExitCodes.TargetNotFound,
                    $"process {pid} is stopped (SIGSTOP or job control); host leaves it as it is",
                    $"resume it first with: kill -CONT {pid}");
            case 't':
                throw Traced(pid);
        }
        var tracer = ProcFs.StatusNumber(pid, "TracerPid") ?? 0;
        if (tracer != 0)
            throw Traced(pid, tracer);
    }

    private static CapabilityException Traced(int pid, int tracer = 0) =>
        new(ExitCodes.PermissionDenied,
            tracer > 0
                ? $"process {pid} is already being traced by process {tracer} ({ProcFs.CommandLine(tracer)})"
                : $"process {pid} is stopped by a debugger",
            "a process can have one tracer at a time: detach the other debugger (or wait for it) and try again");
}
