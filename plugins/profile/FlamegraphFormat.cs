using System.Globalization;
using System.Reflection;

namespace Host.Plugins.Profile;

/// <summary>
/// A flame graph as one SVG file that a browser opens by itself: "all" at the bottom, each function
/// above its caller, as wide as its samples (<see cref="FrameTree"/>, <see cref="FlamegraphLayout"/>).
/// A function is its name, file and first line; the lines it was at are left out. The file carries
/// its own style and script (flamegraph.css and flamegraph.js, embedded in this plugin): hovering
/// a frame shows its details, clicking zooms into it, and a search box marks the frames it matches.
/// </summary>
internal sealed class FlamegraphFormat : ProfileFormat
{
    private const int Width = 1200;
    private const int Margin = 10;
    private const int FramesWidth = Width - 2 * Margin;
    private const int FramesTop = 94;
    private const int RowHeight = 18;
    private const int FrameHeight = 17;
    private const int SearchWidth = 320;

    /// <summary>The advance of a 12 px monospaced character, rounded up: labels are cut by counting characters.</summary>
    private const double CharWidth = 7.3;

    /// <summary>Room left between a frame's edge and its label.</summary>
    private const double LabelPad = 3;

    private const string Hint = "Hover a frame for its details; click to zoom in; Esc or a click on \"all\" zooms out; / searches";

    private static readonly Lazy<string> Style = new(() => Resource("flamegraph.css"));
    private static readonly Lazy<string> Script = new(() => Resource("flamegraph.js"));

    public override string Name => "flamegraph";

    public override IReadOnlyList<string> Extensions => [".svg"];

    public override void Write(ProfileResult result, Stream output)
    {
        using var svg = TextOver(output);
        var root = FrameTree.Build(result.Counts.Stacks);
        if (root.Samples == 0)
        {
            WriteEmpty(result, svg);
            return;
        }
        var layout = FlamegraphLayout.Of(root);
        var framesBottom = FramesTop + layout.Rows * RowHeight;
        var height = framesBottom + (layout.LeftOut > 0 ? 48 : 32);
        Open(svg, height);
        Heading(result, svg);
        svg.WriteLine($"""<g id="reset-zoom" class="hidden"><rect x="{Margin}" y="62" width="96" height="24" rx="3"/><text x="{Margin + 10}" y="78">Reset zoom</text></g>""");
        svg.WriteLine($"""<foreignObject x="{Width - Margin - SearchWidth}" y="62" width="{SearchWidth}" height="24"><input xmlns="http://www.w3.org/1999/xhtml" id="search" type="search" placeholder="Search functions and files (regex)" spellcheck="false" autocomplete="off"/></foreignObject>""");
        svg.WriteLine(Invariant($"""<g id="frames" data-left="{Margin}" data-width="{FramesWidth}" data-total="{layout.Total}" data-char-width="{CharWidth}" data-label-pad="{LabelPad}">"""));
        foreach (var frame in layout.Frames)
            Frame(svg, frame, layout);
        svg.WriteLine("</g>");
        svg.WriteLine($"""<text id="details" x="{Margin}" y="{framesBottom + 20}">{XmlText.Escape(Hint)}</text>""");
        svg.WriteLine($"""<text id="matched" x="{Width - Margin}" y="{framesBottom + 20}" text-anchor="end"></text>""");
        if (layout.LeftOut > 0)
            svg.WriteLine(Invariant($"""<text id="note" x="{Margin}" y="{framesBottom + 38}">{layout.LeftOut} frames narrower than {FlamegraphLayout.SmallestShare:0.0%} of the samples are not drawn, with what they called</text>"""));
        svg.WriteLine($"<script type=\"text/javascript\"><![CDATA[\n{Script.Value}]]></script>");
        svg.WriteLine("</svg>");
    }

    /// <summary>
    /// The label of a frame <paramref name="pixels"/> wide: its name, cut to fit with "..", or
    /// nothing where not even three characters fit. flamegraph.js does the same after a zoom.
    /// </summary>
    internal static string Label(string name, double pixels)
    {
        var room = (int)Math.Floor((pixels - 2 * LabelPad) / CharWidth);
        if (room < 3)
            return "";
        if (name.Length <= room)
            return name;
        var kept = room - 2;
        // Not half of a character outside the Basic Multilingual Plane.
        if (char.IsHighSurrogate(name[kept - 1]))
            kept--;
        return name[..kept] + "..";
    }

    /// <summary>What hovering a frame shows: "share_c (cpu_split.py:38): 120 samples, 30.00% of all".</summary>
    internal static string Details(FrameNode node, long total)
    {
        var where = node.Location is { } location ? $"{node.Name} ({location})" : node.Name;
        return Invariant($"{where}: {node.Samples} {(node.Samples == 1 ? "sample" : "samples")}, {100.0 * node.Samples / total:0.00}% of all");
    }

    private static void Frame(TextWriter svg, PlacedFrame frame, FlamegraphLayout layout)
    {
        var node = frame.Node;
        var x = Margin + (double)frame.Offset * FramesWidth / layout.Total;
        var width = (double)node.Samples * FramesWidth / layout.Total;
        // "all" at the bottom, callees above their callers.
        var y = FramesTop + (layout.Rows - 1 - frame.Depth) * RowHeight;
        var kind = node.Kind.ToString().ToLowerInvariant();
        var location = node.Location is { } file ? $" data-location=\"{XmlText.Escape(file)}\"" : "";
        svg.Write(Invariant($"""<g class="frame {kind}" data-name="{XmlText.Escape(node.Name)}"{location} data-offset="{frame.Offset}" data-samples="{node.Samples}" data-depth="{frame.Depth}">"""));
        svg.Write($"<title>{XmlText.Escape(Details(node, layout.Total))}</title>");
        svg.Write(Invariant($"""<rect x="{x:0.##}" y="{y}" width="{width:0.##}" height="{FrameHeight}" rx="2" fill="{FlameColours.For(node)}"/>"""));
        svg.WriteLine(Invariant($"""<text x="{x + LabelPad:0.##}" y="{y + 12.5}">{XmlText.Escape(Label(node.Name, width))}</text></g>"""));
    }

    /// <summary>A profile without a sampled stack still makes a graph, one that says so.</summary>
    private static void WriteEmpty(ProfileResult result, TextWriter svg)
    {
        Open(svg, 160);
        Heading(result, svg);
        svg.WriteLine($"""<text id="empty" x="{Width / 2}" y="112" text-anchor="middle">No samples</text>""");
        var why = result.IdleLeftOut > 0
            ? "No thread was busy: every sampled stack was idle (--idle keeps them)."
            : "No Python stack was sampled.";
        svg.WriteLine($"""<text id="empty-note" x="{Width / 2}" y="136" text-anchor="middle">{XmlText.Escape(why)}</text>""");
        svg.WriteLine("</svg>");
    }

    private static void Open(TextWriter svg, int height)
    {
        svg.WriteLine("""<?xml version="1.0" encoding="UTF-8" standalone="no"?>""");
        svg.WriteLine($"""<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}">""");
        svg.WriteLine($"<style type=\"text/css\"><![CDATA[\n{Style.Value}]]></style>");
        svg.WriteLine($"""<rect id="background" x="0" y="0" width="{Width}" height="{height}"/>""");
    }

    private static void Heading(ProfileResult result, TextWriter svg)
    {
        var command = result.Process.CommandLine.Length > 100 ? result.Process.CommandLine[..97] + "..." : result.Process.CommandLine;
        svg.WriteLine($"""<text id="title" x="{Width / 2}" y="28" text-anchor="middle">{XmlText.Escape("Flame graph: " + command)}</text>""");
        svg.WriteLine($"""<text id="subtitle" x="{Width / 2}" y="48" text-anchor="middle">{XmlText.Escape(Summary.Headline(result))}</text>""");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the profile plugin was built without its resource {name}");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        // Inside a CDATA section, which this sequence would end.
        return text.Contains("]]>", StringComparison.Ordinal) ? throw new InvalidOperationException($"{name} holds ']]>'") : text;
    }
}
