namespace Host.Plugins.Profile;

/// <summary>What a node of a <see cref="FrameTree"/> stands for.</summary>
internal enum FrameNodeKind
{
    /// <summary>The root, "all": every sampled thread-stack.</summary>
    All,

    /// <summary>The process a stack was sampled in (a profile that follows subprocesses).</summary>
    Process,

    /// <summary>The thread a stack was sampled on (a profile kept per thread).</summary>
    Thread,

    /// <summary>A Python function.</summary>
    Function,
}

/// <summary>
/// One node of a <see cref="FrameTree"/>: a function called by the same chain of callers, with the
/// thread-stacks it was on. A function is its name, file and first line: the line a frame was at is
/// left out, so that a function is one node however many of its lines were sampled.
/// </summary>
internal sealed class FrameNode(FrameNodeKind kind, string name, string? file, int? firstLine)
{
    private readonly Dictionary<(FrameNodeKind, string, string?, int?), FrameNode> _children = [];

    public FrameNodeKind Kind { get; } = kind;

    /// <summary>The function's name, or the label of the thread, process or "all".</summary>
    public string Name { get; } = name;

    /// <summary>The function's file; null for a node that is not a function.</summary>
    public string? File { get; } = file;

    /// <summary>The function's first line, where known.</summary>
    public int? FirstLine { get; } = firstLine;

    /// <summary>The thread-stacks this node was on (its own and its callees').</summary>
    public long Samples { get; private set; }

    /// <summary>The callees, in a stable order (by name, then file and first line), so that the same profile lays out the same way.</summary>
    public IEnumerable<FrameNode> Children => _children.Values
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ThenBy(c => c.File, StringComparer.Ordinal)
        .ThenBy(c => c.FirstLine);

    /// <summary>The thread-stacks that ended here: this node was running, not one of its callees.</summary>
    public long Own => Samples - _children.Values.Sum(c => c.Samples);

    /// <summary>"file:first line", just the file where the first line is unknown; null for a node that is not a function.</summary>
    public string? Location => File is null ? null : FirstLine is { } line ? $"{File}:{line.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : File;

    internal FrameNode Child(FrameNodeKind kind, string name, string? file, int? firstLine)
    {
        var key = (kind, name, file, firstLine);
        if (!_children.TryGetValue(key, out var child))
            _children[key] = child = new FrameNode(kind, name, file, firstLine);
        return child;
    }

    internal void Count(long samples) => Samples += samples;
}

/// <summary>
/// The stacks of a profile merged into one tree of callers and callees, as a flame graph draws it:
/// "all" at the root, then the process (when the profile follows subprocesses), then the thread
/// (when it is kept per thread), then the functions, outermost first.
/// </summary>
internal static class FrameTree
{
    public const string RootName = "all";

    public static FrameNode Build(IEnumerable<CountedStack> stacks)
    {
        var root = new FrameNode(FrameNodeKind.All, RootName, null, null);
        foreach (var stack in stacks)
        {
            var node = root;
            node.Count(stack.Count);
            if (stack.Process is { } process)
                node = Descend(node, FrameNodeKind.Process, process.Label, stack.Count);
            if (stack.Thread is { } thread)
                node = Descend(node, FrameNodeKind.Thread, thread.Label, stack.Count);
            foreach (var frame in stack.Frames)
                node = Descend(node, FrameNodeKind.Function, frame.Function, stack.Count, frame.File, frame.FirstLine);
        }
        return root;
    }

    private static FrameNode Descend(FrameNode parent, FrameNodeKind kind, string name, long samples, string? file = null, int? firstLine = null)
    {
        var child = parent.Child(kind, name, file, firstLine);
        child.Count(samples);
        return child;
    }
}
