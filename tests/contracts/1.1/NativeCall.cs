namespace Host.Abstractions;

/// <summary>A call of an exported C function in the target, e.g. Py_GetVersion().</summary>
/// <param name="Function">The symbol name.</param>
/// <param name="Returns">How to read the returned value.</param>
/// <param name="Arguments">Whole numbers (long) or ASCII strings, passed as C arguments.</param>
public sealed record NativeCall(string Function, NativeType Returns, IReadOnlyList<object> Arguments)
{
    /// <summary>A call without arguments.</summary>
    public NativeCall(string function, NativeType returns) : this(function, returns, []) { }
}
