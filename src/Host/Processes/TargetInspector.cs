using Host.Abstractions;

namespace Host.Processes;

/// <summary>
/// Checks from outside that a pid is a live CPython process that we may trace, and explains
/// precisely when it is not. Nothing here stops or touches the process.
/// </summary>
internal static class TargetInspector
{
    public static TargetProcess Inspect(int pid)
    {
        if (pid <= 0)
            throw new CapabilityException(ExitCodes.Usage, $"'{pid}' is not a process id", "give a positive number: host ps lists the Python processes");
        if (!ProcFs.Exists(pid))
            throw NotFound(pid);
        var state = ProcFs.State(pid) ?? throw NotFound(pid);
        var uid = ProcFs.StatusNumber(pid, "Uid") ?? throw NotFound(pid);
        var user = UserNames.Of(uid);
        var commandLine = ProcFs.CommandLine(pid);
        switch (state)
        {
            case 'Z':
            case 'X':
                throw new CapabilityException(ExitCodes.TargetNotFound,
                    $"process {pid} has exited (it is a zombie waiting for its parent to collect it)",
                    "there is nothing left to inspect");
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

        var executable = ProcFs.Executable(pid);
        var files = ProcFs.MappedFiles(pid, out var denied);
        if (denied || files is null && executable is null && ProcFs.Exists(pid))
        {
            // An exiting process refuses /proc reads just like a forbidden one does.
            if (ExitsShortly(pid))
                throw ExitedDuringInspection(pid);
            throw PermissionAdvisor.Denied(pid, uid, user);
        }
        if (files is null)
            throw NotFound(pid);
        var python = PythonDetector.Detect(executable, files);
        if (python is null)
        {
            // No program and no mappings: a kernel thread, or a process in the middle of exiting.
            if (executable is null && files.Count == 0 && ExitsShortly(pid))
                throw ExitedDuringInspection(pid);
            throw new CapabilityException(ExitCodes.TargetNotFound,
                $"process {pid} ({Describe(executable, commandLine)}) is not a CPython process",
                "host ps lists the Python processes you can attach to");
        }
        return new TargetProcess(pid, uid, user, python.Value.Version, executable ?? "?", python.Value.Libpython, commandLine);
    }

    private static CapabilityException ExitedDuringInspection(int pid) =>
        new(ExitCodes.TargetNotFound, $"process {pid} exited while host was inspecting it", "there is nothing left to inspect");

    /// <summary>True when the process is gone or a zombie, now or within 100 ms.</summary>
    public static bool ExitsShortly(int pid)
    {
        for (var i = 0; i < 10; i++)
        {
            if (!ProcFs.IsAlive(pid))
                return true;
            Thread.Sleep(10);
        }
        return false;
    }

    public static CapabilityException NotFound(int pid) =>
        new(ExitCodes.TargetNotFound, $"no process with pid {pid} (it may have exited)", "host ps lists the Python processes you can attach to");

    private static CapabilityException Traced(int pid, int tracer = 0) =>
        new(ExitCodes.PermissionDenied,
            tracer > 0
                ? $"process {pid} is already being traced by process {tracer} ({ProcFs.CommandLine(tracer)})"
                : $"process {pid} is stopped by a debugger",
            "a process can have one tracer at a time: detach the other debugger (or wait for it) and try again");

    private static string Describe(string? executable, string commandLine) =>
        commandLine.Length > 0 ? commandLine : executable ?? "unknown program";
}
