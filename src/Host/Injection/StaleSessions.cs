using System.Text.RegularExpressions;
using Host.Processes;

namespace Host.Injection;

/// <summary>
/// Removes the temporary directories of host runs that were killed before they could clean up
/// (SIGKILL). Only directories named by host, owned by us, not symbolic links, whose host process
/// is gone.
/// </summary>
internal static partial class StaleSessions
{
    [GeneratedRegex(@"^host-(\d+)-([0-9a-f]{16}|gdb-\w+)$")]
    private static partial Regex SessionName();

    public static void Sweep()
    {
        var tmp = Path.GetTempPath();
        var me = Libc.GetEuid();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(tmp, "host-*"))
            {
                var match = SessionName().Match(Path.GetFileName(dir));
                if (!match.Success || !int.TryParse(match.Groups[1].Value, out var pid) || pid == Environment.ProcessId || ProcFs.Exists(pid))
                    continue;
                if (new DirectoryInfo(dir).LinkTarget is not null || Libc.OwnerOf(dir) != me)
                    continue;
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Best effort: a directory we cannot remove is not worth failing the command for.
        }
    }
}
