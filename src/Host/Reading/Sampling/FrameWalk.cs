using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading.Sampling;

/// <summary>One thread's frames as a sample read them, innermost first: the code each runs and where it was in it.</summary>
internal sealed class SampledChain
{
    public List<ulong> Codes { get; } = [];

    /// <summary>As <see cref="FrameRecord.Instruction"/> gives it.</summary>
    public List<ulong> Instructions { get; } = [];

    /// <summary>As <see cref="FrameRecord.BytecodeIndex"/> gives it.</summary>
    public List<int> BytecodeIndexes { get; } = [];

    /// <summary>A frame of the chain could not be read: the stack changed under the read, or a pointer was stale.</summary>
    public bool Broken { get; set; }

    /// <summary>The last frame recorded is a generator's (3.11+): outermost, it means the generator yielded under the read and let go of its caller.</summary>
    public bool EndsInGenerator { get; set; }

    /// <summary>Frames seen on this walk, which ends a chain that loops.</summary>
    public AddressSet Seen { get; } = new();

    public void Clear()
    {
        Codes.Clear();
        Instructions.Clear();
        BytecodeIndexes.Clear();
        Broken = false;
        EndsInGenerator = false;
        Seen.Clear();
    }
}

/// <summary>
/// Walks every thread's chain of frames side by side for the sampler: each round reads the next
/// frame of every chain still going in one system call, only the bytes of each frame it needs,
/// into buffers kept from one sample to the next. Frames the interpreter keeps for itself are
/// skipped, as tracebacks skip them. The walk is bounded and never follows an implausible pointer.
/// </summary>
internal sealed class FrameWalk(ProcessMemory memory, InterpreterLayout layout)
{
    private const int MaxDepth = 4096;
    // FRAME_OWNED_BY_GENERATOR, 3.11 onwards.
    private const byte GeneratorOwned = 1;
    private readonly int _size = FrameRecord.ReadSize(layout);
    private readonly List<SampledChain> _chains = [];
    private byte[] _level = [];
    private ulong[] _next = [], _addresses = [];
    private bool[] _whole = [];
    private int[] _going = [];
    private ulong[] _highest = [], _lowest = [];
    // Frames in data stacks (3.11+) are read a window at a time; frame objects (up to 3.10) are scattered on the heap.
    private readonly StackWindows? _windows = layout.Chain == FrameChain.FrameObjects ? null : new StackWindows(memory, FrameRecord.ReadSize(layout));

    /// <summary>The chains of <paramref name="threads"/>, in the same order; valid until the next walk.</summary>
    public IReadOnlyList<SampledChain> Walk(IReadOnlyList<OutsideThread> threads)
    {
        var count = threads.Count;
        Prepare(count);
        FirstFrames(threads);
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            var going = 0;
            for (var t = 0; t < count; t++)
            {
                if (_next[t] != 0 && _chains[t].Seen.Add(_next[t]))
                {
                    _going[going] = t;
                    _addresses[going++] = _next[t];
                }
            }
            if (going == 0)
                break;
            if (_windows is null)
                memory.ReadEach(_addresses.AsSpan(0, going), _size, _level, _whole);
            else
                _windows.Cover(_going.AsSpan(0, going), _addresses.AsSpan(0, going), count);
            for (var i = 0; i < going; i++)
            {
                var t = _going[i];
                var chain = _chains[t];
                var frame = _windows is null ? (_whole[i] ? _level.AsSpan(i * _size, _size) : []) : _windows.Frame(t, _addresses[i]);
                if (frame.IsEmpty)
                {
                    chain.Broken = true;
                    _next[t] = 0;
                    continue;
                }
                _highest[t] = Math.Max(_highest[t], _addresses[i]);
                _lowest[t] = Math.Min(_lowest[t], _addresses[i]);
                if (!FrameRecord.Internal(frame, layout) && FrameRecord.Code(frame, layout) is var code and not 0)
                {
                    chain.Codes.Add(code);
                    chain.Instructions.Add(FrameRecord.Instruction(frame, layout));
                    chain.BytecodeIndexes.Add(FrameRecord.BytecodeIndex(frame, layout));
                    chain.EndsInGenerator = layout.FrameOwner is { } ownerAt && frame[(int)ownerAt] == GeneratorOwned;
                }
                _next[t] = FrameRecord.Previous(frame, layout);
            }
        }
        // A running generator always has a caller: a chain that ends in one was torn (no thread starts in a generator).
        for (var t = 0; t < count; t++)
        {
            _chains[t].Broken |= _chains[t].EndsInGenerator;
            // Frames of one data stack chunk (generators' own frames are elsewhere: they spread no window).
            if (_highest[t] >= _lowest[t] && _highest[t] - _lowest[t] < 1 << 20)
                _windows?.Spread(_highest[t], _lowest[t]);
        }
        return _chains;
    }

    private void Prepare(int count)
    {
        while (_chains.Count < count)
            _chains.Add(new SampledChain());
        if (_chains.Count > count)
            _chains.RemoveRange(count, _chains.Count - count);
        foreach (var chain in _chains)
            chain.Clear();
        _windows?.Begin(count);
        if (_next.Length < count)
        {
            _highest = new ulong[count];
            _lowest = new ulong[count];
            _next = new ulong[count];
            _addresses = new ulong[count];
            _whole = new bool[count];
            _going = new int[count];
            _level = new byte[count * _size];
        }
        Array.Clear(_highest, 0, count);
        Array.Fill(_lowest, ulong.MaxValue, 0, count);
    }

    /// <summary>Each thread's innermost frame (0 where it has none): 3.11 and 3.12 reach it through the C frame.</summary>
    private void FirstFrames(IReadOnlyList<OutsideThread> threads)
    {
        for (var t = 0; t < threads.Count; t++)
            _next[t] = RemotePointer.Valid(threads[t].Frame) ?? 0;
        if (layout.Chain != FrameChain.ThroughCFrame)
            return;
        for (var t = 0; t < threads.Count; t++)
            _addresses[t] = _next[t] == 0 ? 0 : _next[t] + layout.CFrameCurrent;
        memory.ReadEach(_addresses.AsSpan(0, threads.Count), 8, _level, _whole);
        for (var t = 0; t < threads.Count; t++)
            _next[t] = _whole[t] ? RemotePointer.Valid(BinaryPrimitives.ReadUInt64LittleEndian(_level.AsSpan(8 * t))) ?? 0 : 0;
    }
}
