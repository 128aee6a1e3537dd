using Host.Abstractions;
using Host.Linux;

namespace Host.Processes;

/// <summary>Lists the running CPython processes this user can see, for `host ps` and --name.</summary>
internal static class PythonProcesses
{
    public static IReadOnlyList<TargetProcess> List()
    {
        var found = new List<TargetProcess>();
        foreach (var pid in ProcFs.AllPids().Order())
        {
            if (pid == Environment.ProcessId)
                continue;
            var process = TryDescribe(pid);
            if (process is not null)
                found.Add(process);
        }
        return found;
    }

    private static TargetProcess? TryDescribe(int pid)
    {
        var uid = ProcFs.StatusNumber(pid, "Uid");
        if (uid is null || !ProcFs.IsAlive(pid))
            return null;
        var executable = ProcFs.Executable(pid);
        var files = ProcFs.MappedFiles(pid, out var denied) ?? [];
        var commandLine = ProcFs.CommandLine(pid);
        if (denied || executable is null)
        {
            // Another user's process: we may not read its maps, so judge by its command name.
            var first = commandLine.Split(' ', 2)[0];
            var guess = first.Length == 0 ? null : PythonDetector.Detect(first, []);
            return guess is null ? null : new TargetProcess(pid, uid.Value, UserNames.Of(uid.Value), guess.Version + " (not traceable by you)", first, null, commandLine);
        }
        var python = PythonDetector.Detect(executable, files);
        if (python is null)
            return null;
        var version = PythonDetector.Exact(pid, python.Version, python.Libpython ?? executable);
        return new TargetProcess(pid, uid.Value, UserNames.Of(uid.Value), version, executable, python.Libpython, commandLine);
    }
}
