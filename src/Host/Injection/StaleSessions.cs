using Host.Processes;

namespace Host.Injection;

/// <summary>
/// Removes the temporary directories of host runs that were killed before they could clean up
/// (SIGKILL). Only directories named by host, owned by us, not symbolic links, whose host process
/// is gone.
/// </summary>
internal static class StaleSessions
{
    public static void Sweep()
    {
        var tmp = Path.GetTempPath();
        var me = Libc.GetEuid();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(tmp, "host-*"))
            {
                if (SessionPid(Path.GetFileName(dir)) is not { } pid || pid == Environment.ProcessId || ProcFs.Exists(pid))
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

    // host-PID-<16 hex digits> (a session) or host-PID-gdb-<word> (gdb's scratch folder).
    private static int? SessionPid(string name)
    {
        if (!name.StartsWith("host-", StringComparison.Ordinal))
            return null;
        var rest = name.AsSpan("host-".Length);
        var dash = rest.IndexOf('-');
        if (dash < 0 || !AsciiText.IsDigits(rest[..dash]) || !int.TryParse(rest[..dash], out var pid))
            return null;
        var tail = rest[(dash + 1)..];
        var named = tail.Length == 16 && AsciiText.IsLowerHex(tail)
            || tail.StartsWith("gdb-", StringComparison.Ordinal) && tail.Length > 4 && IsWord(tail[4..]);
        return named ? pid : null;
    }

    private static bool IsWord(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
                return false;
        }
        return true;
    }
}
