namespace Host.Abstractions;

/// <summary>A CPython process as seen from outside, before anything is injected.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Uid">Real user id of its owner.</param>
/// <param name="UserName">Its owner's name, or the uid as text.</param>
/// <param name="PythonVersion">Major.minor as found in the interpreter's file names, e.g. "3.11".</param>
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
    string CommandLine);
