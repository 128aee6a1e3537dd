using Host.Abstractions;

namespace Host.Injection.Gdb;

/// <summary>Finds gdb on PATH (or HOST_GDB), or explains how to install it.</summary>
internal static class GdbLocator
{
    public static string Find()
    {
        var explicitPath = Environment.GetEnvironmentVariable("HOST_GDB");
        if (!string.IsNullOrEmpty(explicitPath))
            return File.Exists(explicitPath)
                ? explicitPath
                : throw Missing($"HOST_GDB points to {explicitPath}, which does not exist");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "gdb");
            if (File.Exists(candidate))
                return candidate;
        }
        throw Missing("gdb was not found on PATH; host uses it to attach to the target");
    }

    private static CapabilityException Missing(string message) =>
        new(ExitCodes.Failed, message, "install it: sudo apt-get install gdb (Debian/Ubuntu), sudo dnf install gdb (Fedora), apk add gdb (Alpine)");
}
