namespace Host.Tests.Support;

/// <summary>How a test starts an interpreter: directly, or under the root of another tree.</summary>
public enum Confinement
{
    /// <summary>Started as it is, sharing host's files.</summary>
    None,

    /// <summary>In a private mount namespace whose root is the tree (pivot_root), as a container runs.</summary>
    Container,

    /// <summary>chroot into the tree, in host's own mount namespace.</summary>
    Chroot,
}

/// <summary>One CPython found at test time.</summary>
/// <param name="Label">The name the test report shows, e.g. "pyenv-3.11.7" or "sid-container-3.14.10".</param>
/// <param name="Path">The interpreter as the target sees it (inside its tree when confined).</param>
/// <param name="Version">major.minor.micro.</param>
public sealed record Interpreter(string Label, string Path, Version Version)
{
    public Confinement Confinement { get; init; } = Confinement.None;

    /// <summary>The root directory the target sees, as host sees it: "/" unless confined.</summary>
    public string Root { get; init; } = "/";

    /// <summary>A build without the GIL (PEP 703): several threads run Python at once.</summary>
    public bool IsFreeThreaded { get; init; }

    public bool IsPython2 => Version.Major == 2;

    public bool HasQualifiedNames => Version >= new Version(3, 11);

    public bool HasNativeThreadIds => Version >= new Version(3, 8);

    /// <summary>The version as Python and host print it: "3.14.7t" for a free-threaded build.</summary>
    public string VersionText => Version.ToString(3) + (IsFreeThreaded ? "t" : "");

    /// <summary>The command that starts this interpreter with the given arguments.</summary>
    public IReadOnlyList<string> Command(IEnumerable<string> arguments) =>
        [.. Launcher.For(this), Path, .. arguments];

    /// <summary>Where host finds a file the target names <paramref name="targetPath"/>.</summary>
    public string HostPath(string targetPath) => Root == "/" ? targetPath : Root.TrimEnd('/') + targetPath;

    public override string ToString() => Label;
}
