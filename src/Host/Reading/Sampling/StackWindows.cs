using Host.Linux;

namespace Host.Reading.Sampling;

/// <summary>
/// 3.11 onwards keeps a thread's frames in its data stack, each frame just above the one that
/// called it. So instead of a read per frame, the walk reads a window of memory that ends at the
/// frame it needs and reaches down over its callers, and takes the next frames from that copy
/// while they are in it: a stack of 500 frames costs a few reads, not 500. Windows of all the
/// threads that need one are read in one system call, as the walk's levels were. The window's
/// size follows the deepest stack of the last sample (1 to 64 KiB). A window that would reach into
/// unmapped memory (below a data-stack chunk, each a mapping of its own) is cut where the frame's
/// mapping starts.
/// </summary>
internal sealed class StackWindows(ProcessMemory memory, int frameSize)
{
    private readonly MappedRanges _mapped = new(memory.Pid);
    private const int Page = 4096, Smallest = 1024, Largest = 64 * 1024;
    private int _size = Smallest, _widest;
    private byte[] _buffer = [];
    private ulong[] _start = [], _addresses = [];
    private int[] _length = [];
    private bool[] _whole = [];

    /// <summary>Starts a sample of <paramref name="count"/> threads: every window is empty.</summary>
    public void Begin(int count)
    {
        _size = Math.Clamp((int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(_widest * 2, 1)), Largest), Smallest, Largest);
        _widest = 0;
        if (_start.Length < count)
        {
            _start = new ulong[count];
            _addresses = new ulong[count];
            _length = new int[count];
            _whole = new bool[count];
        }
        if (_buffer.Length < count * _size)
            _buffer = new byte[count * _size];
        Array.Clear(_length, 0, count);
    }

    /// <summary>Notes how far a thread's frames spread, for the next sample's window size.</summary>
    public void Spread(ulong highest, ulong lowest) => _widest = Math.Max(_widest, (int)Math.Min(highest - lowest + (ulong)frameSize, (ulong)Largest));

    /// <summary>Makes sure thread <paramref name="threads"/>[i]'s window holds the frame at <paramref name="frames"/>[i], reading those that do not in one batch.</summary>
    public void Cover(ReadOnlySpan<int> threads, ReadOnlySpan<ulong> frames, int count)
    {
        var reads = 0;
        Array.Clear(_addresses, 0, count);
        for (var i = 0; i < threads.Length; i++)
        {
            var (t, frame) = (threads[i], frames[i]);
            if (Holds(t, frame))
                continue;
            var end = frame + (ulong)frameSize;
            _addresses[t] = end >= (ulong)_size ? end - (ulong)_size : 0;
            // Not below the start of the frame's mapping where it is known: the memory below may not be mapped.
            if (_mapped.KnownStartOf(frame) is { } floor && floor > _addresses[t] && floor <= frame)
                _addresses[t] = floor;
            _length[t] = 0;
            reads++;
        }
        if (reads == 0)
            return;
        // A window cut at its mapping's start reads the same size from there: past the frame, where the chunk goes on.
        memory.ReadEach(_addresses.AsSpan(0, count), _size, _buffer, _whole);
        for (var i = 0; i < threads.Length; i++)
        {
            var (t, frame) = (threads[i], frames[i]);
            if (Holds(t, frame))
                continue;
            if (_whole[t])
            {
                (_start[t], _length[t]) = (_addresses[t], (int)(frame + (ulong)frameSize - _addresses[t]));
                continue;
            }
            // The window reached into memory that is not mapped: from the start of the frame's mapping
            // (a data-stack chunk of its own), or failing that its page, up.
            var floor = _mapped.StartOf(frame) ?? frame & ~(ulong)(Page - 1);
            var start = Math.Max(floor, frame + (ulong)frameSize - (ulong)_size);
            var length = (int)(frame + (ulong)frameSize - start);
            if (!memory.TryRead(start, _buffer.AsSpan(t * _size, length)) && start != (frame & ~(ulong)(Page - 1)))
            {
                // The mapping known has gone (a chunk freed): the frame's own page still holds it, if anything does.
                start = Math.Max(frame & ~(ulong)(Page - 1), frame + (ulong)frameSize - (ulong)_size);
                length = (int)(frame + (ulong)frameSize - start);
                if (!memory.TryRead(start, _buffer.AsSpan(t * _size, length)))
                    continue;
            }
            (_start[t], _length[t]) = (start, length);
        }
    }

    /// <summary>The frame's bytes from thread <paramref name="t"/>'s window; empty when it could not be read.</summary>
    public ReadOnlySpan<byte> Frame(int t, ulong frame) =>
        Holds(t, frame) ? _buffer.AsSpan(t * _size + (int)(frame - _start[t]), frameSize) : [];

    private bool Holds(int t, ulong frame) =>
        _length[t] > 0 && frame >= _start[t] && frame + (ulong)frameSize <= _start[t] + (ulong)_length[t];
}
