namespace Host.Abstractions;

/// <summary>A CPython process as seen from outside, before anything is injected.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Uid">Real user id of its owner.</param>
/// <param name="UserName">Its owner's name, or the uid as text.</param>
/// <param name="PythonVersion">The version as found in the interpreter's file names, e.g. "3.11", "3.11.7" (a pyenv folder) or "3.14t"; <see cref="Version"/> is exact.</param>
/// <param name="Executable">The program file.</param>
/// <param name="Libpython">The shared libpython it loaded, or null when the interpreter is in the executable.</param>
/// <param name="CommandLine">Its arguments joined by spaces.</param>
public sealed record TargetProcess(
    int Pid,
    int Uid,
    string UserName,
    string PythonVersion,
    string Executable,
    string? Libpython,
    string CommandLine)
{
    /// <summary>
    /// The full version (contract 1.2): read from the running interpreter where it says (3.11+),
    /// else from its file names. Null only where no version is known at all.
    /// </summary>
    public InterpreterVersion? Version { get; init; }

    /// <summary>A free-threaded build (the "t" ABI flag: no GIL, or a GIL it can switch off), contract 1.2.</summary>
    public bool IsFreeThreaded { get; init; }

    /// <summary>A debug build (the "d" ABI flag, --with-pydebug), contract 1.2.</summary>
    public bool IsDebugBuild { get; init; }
}
