using Host.Abstractions;
using Host.Linux;
using Host.Processes;

namespace Host.Injection.Transports;

/// <summary>Turns a transport's report into results, or into an error the user can act on.</summary>
internal static class InjectionOutcome
{
    public static IReadOnlyList<InjectionEvent> Check(InjectionReport report, TargetProcess target, TimeSpan timeout)
    {
        var pid = target.Pid;
        var error = report.Error;
        var failure = error?.Failure;
        switch (failure)
        {
            case FailureKind.PermissionDenied:
                throw TargetInspector.ExitsShortly(pid) ? Exited(pid) : PermissionAdvisor.Denied(pid, target.Uid, target.UserName);
            case FailureKind.NoSuchProcess:
                throw Exited(pid);
            case FailureKind.AttachFailed:
                throw ProcFs.IsAlive(pid) ? new CapabilityException(ExitCodes.Failed, $"{report.Transport} could not attach to process {pid}: {error!.Message}") : Exited(pid);
        }
        if (!ProcFs.IsAlive(pid))
            throw Exited(pid);
        switch (failure)
        {
            case FailureKind.NoSafePoint:
                throw new CapabilityException(ExitCodes.Timeout,
                    $"no thread of process {pid} reached a safe point within {timeout.TotalSeconds:0.#} s (each was inside the memory allocator or the dynamic loader)",
                    "the target was detached and keeps running; try again, or raise --timeout");
            case FailureKind.GdbWithoutPython:
                throw new CapabilityException(ExitCodes.Failed,
                    "this gdb was built without Python support, which host needs to drive it",
                    "install the full gdb: sudo apt-get install gdb (not gdb-minimal)");
            case null or FailureKind.DetachFailed:
                break;
            default:
                throw new CapabilityException(ExitCodes.Failed,
                    $"calling {error!.Function ?? "a function"} in process {pid} failed: {error.Message}",
                    "the target was detached and keeps running");
        }
        if (report.Overran)
            throw new CapabilityException(ExitCodes.Timeout,
                $"{report.Transport} did not finish within {timeout.TotalSeconds:0.#} s and was told to detach",
                "check that the target is still healthy; raise --timeout if it is very large");
        if (!report.Detached)
            throw new CapabilityException(ExitCodes.Failed,
                $"{report.Transport} ended without detaching cleanly (exit code {report.ExitCode}): {report.OutputTail}",
                $"the target was not left stopped; the end of {report.Transport}'s own output is quoted above");
        return report.Results.ToList();
    }

    public static CapabilityException Exited(int pid) =>
        new(ExitCodes.TargetNotFound, $"process {pid} exited while host was attaching to it", null);
}
