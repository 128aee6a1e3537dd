using Host.Abstractions;
using Host.Linux;

namespace Host.Reading;

/// <summary>
/// Finds a target's <c>_PyRuntime</c> from outside: the interpreter's global state, where the
/// reader from outside starts (3.7+; 2.7 and 3.6 keep their interpreters in a static variable
/// instead). Looked up in the symbol tables of the file the interpreter is in: libpython, or the
/// executable for an interpreter linked into it.
/// </summary>
internal static class RuntimeLocator
{
    public const string RuntimeSymbol = "_PyRuntime";

    /// <summary>The address of _PyRuntime in the target, or null when its interpreter file has no such symbol.</summary>
    public static ulong? Find(TargetProcess target) =>
        MappedSymbols.Address(target.Pid, target.Libpython ?? target.Executable, RuntimeSymbol);
}
