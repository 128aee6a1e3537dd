using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>
/// Counts sampled stacks as the sampler gives them, as frame ids: a sample costs a hash of its ids
/// and nothing is named until the end (<see cref="CopyTo"/>), when each distinct stack is turned
/// into frames once. Stacks are told apart by the process they came from, the thread when a
/// profile is kept per thread, and their frames.
/// </summary>
internal sealed class StackTally(bool perThread)
{
    private readonly Dictionary<Key, long> _counts = new(new KeyComparer());
    private readonly Dictionary<(int Source, long Ident), string?> _threadNames = [];

    private readonly record struct Key(int Source, long Thread, int[] Frames);

    /// <summary>Distinct stacks counted so far.</summary>
    public int Distinct => _counts.Count;

    public void Add(int source, SampledThread thread, long count = 1)
    {
        var key = new Key(source, perThread ? thread.Ident : 0, thread.Frames);
        _counts[key] = _counts.GetValueOrDefault(key) + count;
        if (perThread && (thread.Name is not null || !_threadNames.ContainsKey((source, thread.Ident))))
            _threadNames[(source, thread.Ident)] = thread.Name;
    }

    /// <summary>Every stack counted, named through its source's sampler, into <paramref name="counts"/>.</summary>
    /// <param name="sources">Each source's sampler (to name its frame ids) and, when the profile follows subprocesses, its process.</param>
    public void CopyTo(StackCounts counts, IReadOnlyList<(IStackSampler Sampler, ProfileProcess? Process)> sources)
    {
        var named = new Dictionary<(int, int), ProfileFrame>();
        foreach (var (key, count) in _counts)
        {
            var (sampler, process) = sources[key.Source];
            var frames = new ProfileFrame[key.Frames.Length];
            for (var i = 0; i < frames.Length; i++)
            {
                if (!named.TryGetValue((key.Source, key.Frames[i]), out var frame))
                {
                    var sampled = sampler.Frame(key.Frames[i]);
                    named[(key.Source, key.Frames[i])] = frame = new ProfileFrame(sampled.Function, sampled.File, sampled.Line, sampled.FirstLine);
                }
                frames[i] = frame;
            }
            var thread = perThread ? new ProfileThread(key.Thread, _threadNames.GetValueOrDefault((key.Source, key.Thread))) : null;
            counts.Add(frames, thread, count, process);
        }
    }

    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public bool Equals(Key a, Key b) => a.Source == b.Source && a.Thread == b.Thread && a.Frames.AsSpan().SequenceEqual(b.Frames);

        public int GetHashCode(Key key)
        {
            var hash = new HashCode();
            hash.Add(key.Source);
            hash.Add(key.Thread);
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(key.Frames.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
