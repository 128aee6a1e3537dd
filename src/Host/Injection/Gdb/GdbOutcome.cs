using Host.Abstractions;
using Host.Processes;

namespace Host.Injection.Gdb;

/// <summary>Turns a gdb transcript into results, or into an error the user can act on.</summary>
internal static class GdbOutcome
{
    public static IReadOnlyList<GdbEvent> Check(GdbTranscript transcript, TargetProcess target, TimeSpan timeout)
    {
        var pid = target.Pid;
        var error = transcript.Error;
        if (error?.Kind == "attach")
        {
            var message = error.Message ?? "";
            if (message.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase))
                throw TargetInspector.ExitsShortly(pid) ? Exited(pid) : PermissionAdvisor.Denied(pid, target.Uid, target.UserName);
            if (!ProcFs.IsAlive(pid) || message.Contains("No such process", StringComparison.OrdinalIgnoreCase))
                throw Exited(pid);
            throw new CapabilityException(ExitCodes.Failed, $"{transcript.Injector} could not attach to process {pid}: {message}");
        }
        if (!ProcFs.IsAlive(pid))
            throw Exited(pid);
        if (error?.Kind == "no-safe-point")
            throw new CapabilityException(ExitCodes.Timeout,
                $"no thread of process {pid} reached a safe point within {timeout.TotalSeconds:0.#} s (each was inside the memory allocator or the dynamic loader)",
                "the target was detached and keeps running; try again, or raise --timeout");
        if (error is not null && error.Kind != "detach")
            throw new CapabilityException(ExitCodes.Failed,
                $"calling {error.Function ?? "a function"} in process {pid} failed: {error.Message}",
                "the target was detached and keeps running");
        if (transcript.Overran)
            throw new CapabilityException(ExitCodes.Timeout,
                $"{transcript.Injector} did not finish within {timeout.TotalSeconds:0.#} s and was told to detach",
                "check that the target is still healthy; raise --timeout if it is very large");
        if (transcript.Output.Contains("Python scripting is not supported", StringComparison.Ordinal))
            throw new CapabilityException(ExitCodes.Failed,
                "this gdb was built without Python support, which host needs to drive it",
                "install the full gdb: sudo apt-get install gdb (not gdb-minimal)");
        if (!transcript.Detached)
            throw new CapabilityException(ExitCodes.Failed,
                $"{transcript.Injector} ended without detaching cleanly (exit code {transcript.ExitCode}): {transcript.OutputTail}",
                $"the target was not left stopped; the end of {transcript.Injector}'s own output is quoted above");
        return transcript.Results.ToList();
    }

    public static CapabilityException Exited(int pid) =>
        new(ExitCodes.TargetNotFound, $"process {pid} exited while host was attaching to it", null);
}
