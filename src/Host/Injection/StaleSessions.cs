using Host.Linux;

namespace Host.Injection;

/// <summary>
/// Removes the temporary directories of host runs that were killed before they could clean up
/// (SIGKILL): in host's own temporary folder, and in the /tmp of a target under another root, where
/// its sessions live. Only directories named by host (<see cref="SessionNames"/>), owned by us, not
/// symbolic links, whose host process is gone.
/// </summary>
internal static class StaleSessions
{
    public static void Sweep(string? folder = null)
    {
        folder ??= Path.GetTempPath();
        var me = Libc.GetEuid();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(folder, "host-*"))
            {
                if (!SessionNames.IsStale(Path.GetFileName(dir)))
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
