namespace Host.Plugins.Profile;

/// <summary>One frame of a sampled stack: what a profile tells apart.</summary>
internal sealed record SampledFrame(string Function, string File, int? Line);

/// <summary>A distinct stack (outermost frame first) and how many thread-stacks were that stack.</summary>
internal sealed class CountedStack(IReadOnlyList<SampledFrame> frames)
{
    public IReadOnlyList<SampledFrame> Frames { get; } = frames;

    public long Count { get; set; }
}

/// <summary>The thread-stacks of a profile, counted by distinct stack.</summary>
internal sealed class StackCounts
{
    private readonly Dictionary<string, CountedStack> _stacks = new(StringComparer.Ordinal);

    public IEnumerable<CountedStack> Stacks => _stacks.Values;

    public long Total { get; private set; }

    public void Add(IReadOnlyList<SampledFrame> frames)
    {
        var key = string.Join('\u0001', frames.Select(f => $"{f.Function}\u0002{f.File}\u0002{f.Line}"));
        if (!_stacks.TryGetValue(key, out var counted))
            _stacks[key] = counted = new CountedStack(frames);
        counted.Count++;
        Total++;
    }
}
