using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>
/// The interpreters ./test provides (tests/interpreters/provision), in its cache: $HOST_TEST_CACHE,
/// by default ~/.cache/host-tests. A tree of Debian sid with python3.14 and python3.15, and the
/// free-threaded 3.14t. Before a tree is used, the fixtures are copied into it at the path they have
/// here (so a target under its root finds them where host's tests name them), and, for the chroot
/// way in, its /proc is mounted in host's mount namespace (left mounted for later runs).
/// </summary>
public static class Trees
{
    public static string Cache =>
        Environment.GetEnvironmentVariable("HOST_TEST_CACHE") is { Length: > 0 } cache ? cache
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "host-tests");

    public static string Sid => Path.Combine(Cache, "sid");

    public static string FreeThreadedPython => Path.Combine(Cache, "cpython-3.14t", "bin", "python3.14t");

    /// <summary>Readies a tree for targets; returns why it cannot be used, or null.</summary>
    public static string? Prepare(string tree)
    {
        try
        {
            Launcher.PrepareTree(tree);
            var fixtures = RepoPaths.Fixture("");
            CopyFolder(fixtures, tree + fixtures);
            var proc = Path.Combine(tree, "proc");
            if (!File.Exists(Path.Combine(proc, "self", "stat")) && Run("mount", "-t", "proc", "proc", proc) is { } error)
                return $"cannot mount /proc in {tree}: {error}";
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return $"cannot prepare {tree}: {error.Message}";
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var folder in Directory.GetDirectories(from))
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    private static string? Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : errors.Trim();
    }
}
