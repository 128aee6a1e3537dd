namespace Host.Tests.Support;

/// <summary>
/// The command prefix that runs an interpreter under its confinement. A container: a private mount
/// namespace where the tree is bind-mounted, gets its own /proc, and becomes the root (pivot_root),
/// the old root then unmounted, so that nothing of host's files is left in the target's view. A
/// chroot: the tree as root directory, host's mount namespace kept (its /proc is mounted once, see
/// <see cref="Trees"/>).
/// </summary>
public static class Launcher
{
    private const string OldRoot = ".host-test-old-root";

    // After pivot_root only the tree's programs are left: its own Python unmounts the old root.
    private const string ContainerScript =
        "set -e; tree=$1; shift; " +
        "mount --bind \"$tree\" \"$tree\"; mount -t proc proc \"$tree/proc\"; cd \"$tree\"; " +
        "pivot_root . " + OldRoot + "; " +
        "\"$1\" -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).umount2(b\"/" + OldRoot + "\", 2))'; " +
        "exec \"$@\"";

    public static IReadOnlyList<string> For(Interpreter interpreter) => interpreter.Confinement switch
    {
        Confinement.Container => ["unshare", "--mount", "--propagation", "private", "sh", "-c", ContainerScript, "sh", interpreter.Root],
        Confinement.Chroot => ["chroot", interpreter.Root],
        _ => [],
    };

    /// <summary>Makes the tree ready for both ways in: the old-root mount point (containers).</summary>
    public static void PrepareTree(string tree) => Directory.CreateDirectory(System.IO.Path.Combine(tree, OldRoot));
}
