namespace Host.Plugins.Profile;

/// <summary>One frame of a sampled stack: what a profile tells apart. The line is null where it is unknown.</summary>
internal sealed record ProfileFrame(string Function, string File, int? Line);

/// <summary>A thread a stack was sampled on, for a profile kept per thread (--threads).</summary>
/// <param name="Ident">threading.get_ident().</param>
/// <param name="Name">threading's name for it, where known.</param>
internal sealed record ProfileThread(long Ident, string? Name)
{
    /// <summary>"thread MainThread (140123)": how a format names the thread where it shows it as a frame.</summary>
    public string Label => Name is null ? $"thread {Ident}" : $"thread {Name} ({Ident})";
}

/// <summary>A distinct stack (outermost frame first), the thread it was on when kept per thread, and how many thread-stacks were that stack.</summary>
internal sealed class CountedStack(IReadOnlyList<ProfileFrame> frames, ProfileThread? thread)
{
    public IReadOnlyList<ProfileFrame> Frames { get; } = frames;

    /// <summary>Null unless the profile is kept per thread.</summary>
    public ProfileThread? Thread { get; } = thread;

    public long Count { get; set; }
}

/// <summary>The thread-stacks of a profile, counted by distinct stack (and thread, when kept per thread).</summary>
internal sealed class StackCounts
{
    private readonly Dictionary<string, CountedStack> _stacks = new(StringComparer.Ordinal);

    public IEnumerable<CountedStack> Stacks => _stacks.Values;

    public long Total { get; private set; }

    public void Add(IReadOnlyList<ProfileFrame> frames, ProfileThread? thread = null, long count = 1)
    {
        var key = (thread is null ? "" : thread.Ident + "\u0003") + string.Join('\u0001', frames.Select(f => $"{f.Function}\u0002{f.File}\u0002{f.Line}"));
        if (!_stacks.TryGetValue(key, out var counted))
            _stacks[key] = counted = new CountedStack(frames, thread);
        counted.Count += count;
        Total += count;
    }
}
