using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading.Sampling;

/// <summary>
/// The interpreter's thread states, listed for every sample. Walking the list costs a read per
/// thread; a sampler instead reads the states it found last time all in one batch, and accepts
/// them only if the list still links exactly them, in that order, from the interpreter's head to
/// its end. A thread started or ended changes the links, and the list is walked again.
/// </summary>
internal sealed class ThreadListing(ProcessMemory memory, ReadableInterpreter target)
{
    private readonly InterpreterLayout _layout = target.Layout;
    private readonly int _size = ReadSize(target.Layout);
    private ulong _interpreter;
    private ulong[] _states = [];
    private byte[] _buffer = [];

    /// <summary>Every thread, as <see cref="OutsideThreads.Read"/> gives them.</summary>
    public List<OutsideThread> Read()
    {
        if (_states.Length > 0 && Cached() is { } threads)
            return threads;
        threads = OutsideThreads.Read(memory, target);
        // Only a process with one interpreter is listed from the cache: another would need its own links checked.
        var one = threads.Count > 0 && threads.TrueForAll(t => t.Interpreter == threads[0].Interpreter);
        _interpreter = one ? threads[0].Interpreter : 0;
        _states = one ? threads.ConvertAll(t => t.State).ToArray() : [];
        return threads;
    }

    private List<OutsideThread>? Cached()
    {
        Span<ulong> heads = [target.Root + _layout.InterpretersHead, _interpreter + _layout.InterpreterNext, _interpreter + _layout.InterpreterThreadsHead];
        Span<byte> words = stackalloc byte[24];
        Span<bool> read = stackalloc bool[3];
        memory.ReadEach(heads, 8, words, read);
        if (!read[0] || !read[1] || !read[2] || Word(words, 0) != _interpreter || Word(words, 8) != 0 || Word(words, 16) != _states[0])
            return null;
        if (_buffer.Length < _states.Length * _size)
            _buffer = new byte[_states.Length * _size];
        var whole = new bool[_states.Length];
        memory.ReadEach(_states, _size, _buffer, whole);
        var threads = new List<OutsideThread>(_states.Length);
        for (var i = 0; i < _states.Length; i++)
        {
            var state = _buffer.AsSpan(i * _size, _size);
            var next = i + 1 < _states.Length ? _states[i + 1] : 0;
            if (!whole[i] || Word(state, (int)_layout.ThreadNext) != next)
                return null;
            long? native = _layout.NativeThreadId is { } at ? BinaryPrimitives.ReadInt64LittleEndian(state[(int)at..]) : null;
            threads.Add(new OutsideThread(Word(state, (int)_layout.ThreadId), native, _states[i], _interpreter, Word(state, (int)_layout.ThreadFrame)));
        }
        return threads;
    }

    /// <summary>A thread state's bytes up to the last field the listing reads.</summary>
    private static int ReadSize(InterpreterLayout layout) =>
        (int)Math.Min(layout.ThreadSize, Math.Max(Math.Max(layout.ThreadNext, layout.ThreadId), Math.Max(layout.ThreadFrame, layout.NativeThreadId ?? 0)) + 8);

    private static ulong Word(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);
}
