using Host.Abstractions;
using Host.Linux;

namespace Host.Processes;

/// <summary>
/// Checks from outside that a pid is a live CPython process, and explains precisely when it is
/// not. Nothing here stops or touches the process. Whether it may be injected into (not stopped,
/// not traced) is the injection's own rule (Injection/InjectionPreconditions).
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
        }
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
        var detected = python;
        return new TargetProcess(pid, uid, user, detected.Version, executable ?? "?", detected.Libpython, commandLine)
        {
            Version = PythonDetector.FullVersion(pid, detected, executable ?? ""),
            IsFreeThreaded = detected.FreeThreaded,
            IsDebugBuild = detected.Debug,
        };
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

    private static string Describe(string? executable, string commandLine) =>
        commandLine.Length > 0 ? commandLine : executable ?? "unknown program";
}
