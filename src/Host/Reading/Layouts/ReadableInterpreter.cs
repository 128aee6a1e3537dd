using Host.Linux;

namespace Host.Reading.Layouts;

/// <summary>
/// What the reader needs to walk one target: its layout, where the walk starts (_PyRuntime, or on
/// 2.7 and 3.6 the interp_head variable itself), and the addresses of the objects it recognises.
/// </summary>
/// <param name="Root">The address <see cref="InterpreterLayout.InterpretersHead"/> is relative to.</param>
/// <param name="CodeType">PyCode_Type: a frame's code is followed only when its type is this.</param>
/// <param name="CurrentThread">2.7 and 3.6: _PyThreadState_Current, which points at the thread holding the GIL.</param>
/// <param name="Symbols">The addresses of the interpreter's objects and types the reader recognises values by (see <see cref="InterpreterFinder.ValueSymbols"/>).</param>
internal sealed record ReadableInterpreter(InterpreterLayout Layout, ulong Root, ulong CodeType, ulong? CurrentThread, FoundSymbols Symbols);
