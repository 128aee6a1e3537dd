namespace Host.Plugins.Profile;

/// <summary>One frame of a sampled stack: what a profile tells apart.</summary>
/// <param name="Function">The code's qualified name where the interpreter has one (3.11+), else its name.</param>
/// <param name="File">co_filename.</param>
/// <param name="Line">The line the frame was at; null where it is unknown.</param>
/// <param name="FirstLine">The function's first line (co_firstlineno): with <see cref="File"/>, where a format that leaves lines out points a function to; null where unknown.</param>
internal sealed record ProfileFrame(string Function, string File, int? Line, int? FirstLine = null);

/// <summary>A thread a stack was sampled on, for a profile kept per thread (--threads).</summary>
/// <param name="Ident">threading.get_ident().</param>
/// <param name="Name">threading's name for it, where known.</param>
internal sealed record ProfileThread(long Ident, string? Name)
{
    /// <summary>"thread MainThread (140123)": how a format names the thread where it shows it as a frame.</summary>
    public string Label => Name is null ? $"thread {Ident}" : $"thread {Name} ({Ident})";
}

/// <summary>The process a stack was sampled in, for a profile that follows subprocesses (--subprocesses).</summary>
/// <param name="Pid">Its process id.</param>
/// <param name="Command">Its command line, shortened, for a label.</param>
internal sealed record ProfileProcess(int Pid, string Command)
{
    /// <summary>"process 1234 (python3 worker.py)": how a format names the process where it shows it as a frame.</summary>
    public string Label => $"process {Pid} ({Command})";
}

/// <summary>
/// A distinct stack (outermost frame first) and how many thread-stacks were that stack; with the
/// thread it was on when the profile is kept per thread, and the process when it follows subprocesses.
/// A format that shows them as frames puts the process outermost, then the thread.
/// </summary>
internal sealed class CountedStack(IReadOnlyList<ProfileFrame> frames, ProfileThread? thread, ProfileProcess? process = null)
{
    public IReadOnlyList<ProfileFrame> Frames { get; } = frames;

    /// <summary>Null unless the profile is kept per thread.</summary>
    public ProfileThread? Thread { get; } = thread;

    /// <summary>Null unless the profile follows subprocesses.</summary>
    public ProfileProcess? Process { get; } = process;

    public long Count { get; set; }
}

/// <summary>The thread-stacks of a profile, counted by distinct stack (and thread, when kept per thread).</summary>
internal sealed class StackCounts
{
    private readonly Dictionary<string, CountedStack> _stacks = new(StringComparer.Ordinal);

    public IEnumerable<CountedStack> Stacks => _stacks.Values;

    public long Total { get; private set; }

    public void Add(IReadOnlyList<ProfileFrame> frames, ProfileThread? thread = null, long count = 1, ProfileProcess? process = null)
    {
        var key = (process is null ? "" : process.Pid + "\u0004") + (thread is null ? "" : thread.Ident + "\u0003") + string.Join('\u0001', frames.Select(f => $"{f.Function}\u0002{f.File}\u0002{f.Line}\u0002{f.FirstLine}"));
        if (!_stacks.TryGetValue(key, out var counted))
            _stacks[key] = counted = new CountedStack(frames, thread, process);
        counted.Count += count;
        Total += count;
    }
}
