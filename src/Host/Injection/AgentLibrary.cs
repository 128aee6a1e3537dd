using System.Text;
using Host.Abstractions;
using Host.Linux;

namespace Host.Injection;

/// <summary>
/// The native agent file and its entry point, host_agent_start_&lt;id&gt;, whose id changes with the
/// agent's source (see native/agent.targets), read from the library's own symbol table.
/// </summary>
internal sealed record AgentLibrary(string Path, string EntryPoint)
{
    private const int IdLength = 16;

    public static AgentLibrary Find(string? path = null)
    {
        path ??= System.IO.Path.Combine(AppContext.BaseDirectory, "libhostagent.so");
        if (!File.Exists(path))
            throw new CapabilityException(ExitCodes.Failed, $"the native agent is missing: {path}", "rebuild host (dotnet build) or reinstall it");
        return EntryPointIn(File.ReadAllBytes(path)) is { } entry
            ? new AgentLibrary(path, entry)
            : throw new CapabilityException(ExitCodes.Failed, $"{path} is not a host agent (no host_agent_start_ symbol)", "rebuild host (dotnet build) or reinstall it");
    }

    // The first "host_agent_start_" followed by 16 lower-case hex digits.
    private static string? EntryPointIn(ReadOnlySpan<byte> image)
    {
        ReadOnlySpan<byte> prefix = "host_agent_start_"u8;
        for (var offset = 0; offset < image.Length;)
        {
            var found = image[offset..].IndexOf(prefix);
            if (found < 0)
                return null;
            var start = offset + found;
            var end = start + prefix.Length + IdLength;
            if (end <= image.Length)
            {
                var name = Encoding.ASCII.GetString(image[start..end]);
                if (AsciiText.IsLowerHex(name.AsSpan(prefix.Length)))
                    return name;
            }
            offset = start + 1;
        }
        return null;
    }
}
