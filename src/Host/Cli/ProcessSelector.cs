using Host.Abstractions;
using Host.Processes;

namespace Host.Cli;

/// <summary>Turns --pid or --name into one process id, or a usage error.</summary>
internal static class ProcessSelector
{
    public static int Select(int? pid, string? name)
    {
        if (pid is not null && name is not null)
            throw new CapabilityException(ExitCodes.Usage, "give either --pid or --name, not both");
        if (pid is not null)
            return pid.Value > 0
                ? pid.Value
                : throw new CapabilityException(ExitCodes.Usage, $"'{pid}' is not a process id", "give a positive number: host ps lists the Python processes");
        if (name is null)
            throw new CapabilityException(ExitCodes.Usage, "which process? give --pid PID (or --name TEXT)", "host ps lists the Python processes you can attach to");
        var matches = PythonProcesses.List()
            .Where(p => p.CommandLine.Contains(name, StringComparison.Ordinal))
            .ToList();
        return matches.Count switch
        {
            1 => matches[0].Pid,
            0 => throw new CapabilityException(ExitCodes.TargetNotFound, $"no Python process has '{name}' in its command line", "host ps lists them"),
            _ => throw new CapabilityException(ExitCodes.Usage,
                $"{matches.Count} Python processes match '{name}': {string.Join(", ", matches.Select(m => m.Pid))}", "use --pid to pick one"),
        };
    }
}
