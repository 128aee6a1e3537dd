using Host.Abstractions;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading.Sampling;

/// <summary>
/// The sampler's memory of code objects and the frames it has named. A code object is read once
/// (names, line table); on every later sample its header is read again, all of a sample's in one
/// batch, and what it was read as is kept only while the header still points at the same names
/// and table (<see cref="RemoteCode.Fingerprint"/>): a code object freed and another made at the
/// same address is read afresh. Each (code, instruction) is turned into a line once; frames equal
/// in function, file, line and first line share one id.
/// </summary>
internal sealed class FrameTable(ProcessMemory memory, ReadableInterpreter target)
{
    private readonly InterpreterLayout _layout = target.Layout;
    private readonly int _headerSize = RemoteCode.HeaderSize(target.Layout);
    private readonly RemoteCode _reader = new(memory, target);
    private readonly AddressMap<CodeEntry> _codes = new();
    private readonly List<SampledFrame> _frames = [];
    private readonly Dictionary<SampledFrame, int> _ids = [];
    private byte[] _headers = [];
    private bool[] _whole = [];

    /// <summary>A code object as the sampler knows it: null <see cref="Info"/> for an address that holds none.</summary>
    private sealed class CodeEntry(RemoteCodeInfo? info, ulong fingerprint)
    {
        public RemoteCodeInfo? Info { get; } = info;
        public ulong Fingerprint { get; } = fingerprint;
        public Dictionary<ulong, int> Ids { get; } = [];
        public Dictionary<int, ulong>? ThreadBytecode { get; set; }
    }

    public SampledFrame Frame(int id) => _frames[id];

    /// <summary>
    /// Checks that each of <paramref name="codes"/> (distinct addresses) still is what it was read
    /// as, in one batched read of their headers, and reads those that are new or changed.
    /// </summary>
    public void Refresh(List<ulong> codes)
    {
        if (codes.Count == 0)
            return;
        if (_headers.Length < codes.Count * _headerSize)
        {
            _headers = new byte[codes.Count * _headerSize * 2];
            _whole = new bool[codes.Count * 2];
        }
        memory.ReadEach(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(codes), _headerSize, _headers, _whole);
        List<ulong>? stale = null;
        for (var i = 0; i < codes.Count; i++)
        {
            var header = _headers.AsSpan(i * _headerSize, _headerSize);
            var fingerprint = _whole[i] ? RemoteCode.Fingerprint(header, _layout) : 0;
            if (_codes.TryGet(codes[i], out var known) && known is not null && known.Fingerprint == fingerprint)
                continue;
            if (!_whole[i] || BitConverter.ToUInt64(header[(int)_layout.ObjectType..]) != target.CodeType)
            {
                _codes.Set(codes[i], new CodeEntry(null, fingerprint));
                continue;
            }
            (stale ??= []).Add(codes[i]);
        }
        if (stale is null)
            return;
        _reader.Reload(stale);
        foreach (var address in stale)
        {
            var info = _reader.Read(address);
            _codes.Set(address, new CodeEntry(info, info?.Fingerprint ?? 0));
        }
    }

    /// <summary>The id of the frame running <paramref name="code"/> at <paramref name="instruction"/>; null when the code could not be read (a torn or stale frame). <see cref="Refresh"/> must have seen the code in this sample.</summary>
    public int? Id(ulong code, ulong instruction, int bytecodeIndex)
    {
        if (!_codes.TryGet(code, out var entry) || entry?.Info is not { } info)
            return null;
        if (entry.Ids.TryGetValue(instruction, out var id))
            return id;
        var bytecode = _layout.Chain == FrameChain.FrameObjects ? 0 : Bytecode(entry, info, bytecodeIndex);
        var line = FrameRecord.ByteOffset(_layout, instruction, bytecode, info.Units) is { } offset
            ? LineTable.Line(info.LineTable, _layout.LineTable, info.FirstLine, (int)offset)
            : null;
        var frame = new SampledFrame(info.Function, info.File, line, info.FirstLine);
        if (!_ids.TryGetValue(frame, out id))
        {
            id = _frames.Count;
            _frames.Add(frame);
            _ids[frame] = id;
        }
        // A code has only so many instructions: the map is bounded by its size.
        entry.Ids[instruction] = id;
        return id;
    }

    /// <summary>Where the bytecode the frame runs starts: a thread's own copy on free-threaded 3.14+, looked up once per copy.</summary>
    private ulong Bytecode(CodeEntry entry, RemoteCodeInfo info, int index)
    {
        if (index <= 0)
            return info.Bytecode;
        entry.ThreadBytecode ??= [];
        if (!entry.ThreadBytecode.TryGetValue(index, out var start))
            entry.ThreadBytecode[index] = start = FrameRecord.BytecodeStart(memory, _layout, info, index);
        return start;
    }
}
