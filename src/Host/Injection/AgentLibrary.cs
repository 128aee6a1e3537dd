using System.Text;
using System.Text.RegularExpressions;
using Host.Abstractions;

namespace Host.Injection;

/// <summary>
/// The native agent file and its entry point, host_agent_start_&lt;id&gt;, whose id changes with the
/// agent's source (see native/agent.targets), read from the library's own symbol table.
/// </summary>
internal sealed partial record AgentLibrary(string Path, string EntryPoint)
{
    [GeneratedRegex("host_agent_start_[0-9a-f]{16}")]
    private static partial Regex EntryPointName();

    public static AgentLibrary Find(string? path = null)
    {
        path ??= System.IO.Path.Combine(AppContext.BaseDirectory, "libhostagent.so");
        if (!File.Exists(path))
            throw new CapabilityException(ExitCodes.Failed, $"the native agent is missing: {path}", "rebuild host (dotnet build) or reinstall it");
        var symbols = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        var entry = EntryPointName().Match(symbols);
        return entry.Success
            ? new AgentLibrary(path, entry.Value)
            : throw new CapabilityException(ExitCodes.Failed, $"{path} is not a host agent (no host_agent_start_ symbol)", "rebuild host (dotnet build) or reinstall it");
    }
}
