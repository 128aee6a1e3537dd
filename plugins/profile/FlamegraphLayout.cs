namespace Host.Plugins.Profile;

/// <summary>A frame where a flame graph draws it: its row (0 is "all") and its left edge, both in the graph's own units.</summary>
/// <param name="Node">The function (or thread, process, all) and its samples, which are its width.</param>
/// <param name="Depth">Its row: the number of callers below it.</param>
/// <param name="Offset">The samples left of it: its left edge.</param>
internal sealed record PlacedFrame(FrameNode Node, int Depth, long Offset);

/// <summary>
/// Where each frame of a <see cref="FrameTree"/> goes, in samples rather than pixels: a frame is as
/// wide as its samples, and its callees sit side by side on it, in the tree's order. Frames narrower
/// than <see cref="SmallestShare"/> of the whole are left out with their callees: they could not be
/// seen or labelled, and a long profile has thousands of them.
/// </summary>
internal sealed class FlamegraphLayout
{
    /// <summary>0.1% of the samples: about a pixel of a 1200-pixel-wide graph.</summary>
    public const double SmallestShare = 0.001;

    private FlamegraphLayout(IReadOnlyList<PlacedFrame> frames, int rows, long total, int leftOut)
    {
        Frames = frames;
        Rows = rows;
        Total = total;
        LeftOut = leftOut;
    }

    /// <summary>The frames drawn, callers before their callees.</summary>
    public IReadOnlyList<PlacedFrame> Frames { get; }

    /// <summary>Rows drawn: the deepest frame's depth, plus one.</summary>
    public int Rows { get; }

    /// <summary>The samples the whole width stands for.</summary>
    public long Total { get; }

    /// <summary>Frames too narrow to draw, each left out with what it called.</summary>
    public int LeftOut { get; }

    public static FlamegraphLayout Of(FrameNode root)
    {
        var frames = new List<PlacedFrame>();
        var leftOut = 0;
        var rows = 0;
        // A loop rather than recursion: a deeply recursive Python program has stacks thousands of frames deep.
        var pending = new Stack<PlacedFrame>();
        pending.Push(new PlacedFrame(root, 0, 0));
        while (pending.TryPop(out var frame))
        {
            frames.Add(frame);
            rows = Math.Max(rows, frame.Depth + 1);
            var left = frame.Offset;
            foreach (var child in frame.Node.Children)
            {
                if (child.Samples < root.Samples * SmallestShare)
                    leftOut++;
                else
                    pending.Push(new PlacedFrame(child, frame.Depth + 1, left));
                left += child.Samples;
            }
        }
        return new FlamegraphLayout(frames, rows, root.Samples, leftOut);
    }
}
