using Host.Linux;

namespace Host.Reading.Sampling;

/// <summary>
/// 3.11 onwards keeps a thread's frames in its data stack, each frame just above the one that
/// called it. So instead of a read per frame, the walk reads a window of memory that ends at the
/// frame it needs and reaches down over its callers, and takes the next frames from that copy
/// while they are in it: a stack of 500 frames costs a few reads, not 500. Windows of all the
/// threads that need one are read in one system call, as the walk's levels were. The window's
/// size follows the deepest stack of the last sample (1 to 64 KiB). A window that would reach into
/// unmapped memory (below the data stack's first chunk) is cut at the page of the frame.
/// </summary>
internal sealed class StackWindows(ProcessMemory memory, int frameSize)
{
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
            _length[t] = 0;
            reads++;
        }
        if (reads == 0)
            return;
        memory.ReadEach(_addresses.AsSpan(0, count), _size, _buffer, _whole);
        for (var i = 0; i < threads.Length; i++)
        {
            var (t, frame) = (threads[i], frames[i]);
            if (Holds(t, frame))
                continue;
            if (_whole[t])
            {
                (_start[t], _length[t]) = (_addresses[t], _size);
                continue;
            }
            // The window reached into memory that is not mapped: from the frame's own page up.
            var start = Math.Max(frame & ~(ulong)(Page - 1), frame + (ulong)frameSize - (ulong)_size);
            var length = (int)(frame + (ulong)frameSize - start);
            if (memory.TryRead(start, _buffer.AsSpan(t * _size, length)))
                (_start[t], _length[t]) = (start, length);
        }
    }

    /// <summary>The frame's bytes from thread <paramref name="t"/>'s window; empty when it could not be read.</summary>
    public ReadOnlySpan<byte> Frame(int t, ulong frame) =>
        Holds(t, frame) ? _buffer.AsSpan(t * _size + (int)(frame - _start[t]), frameSize) : [];

    private bool Holds(int t, ulong frame) =>
        _length[t] > 0 && frame >= _start[t] && frame + (ulong)frameSize <= _start[t] + (ulong)_length[t];
}
