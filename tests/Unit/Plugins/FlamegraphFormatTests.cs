using System.Text;
using System.Xml.Linq;
using Host.Abstractions;
using Host.Plugins.Profile;

namespace Host.Tests.Unit.Plugins;

/// <summary>
/// The flame graph SVG as a document: well-formed whatever the function names hold, one frame per
/// function (not per line), threads and processes as frames of their own, and a graph that says so
/// when nothing was sampled. What a browser makes of it is FlamegraphTests' part.
/// </summary>
public sealed class FlamegraphFormatTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void A_function_named_with_markup_characters_is_escaped_and_the_document_parses()
    {
        var counts = new StackCounts();
        counts.Add([Frame("main", 3), Frame("<lambda>&\"x\"", 7, firstLine: 7)], count: 5);
        counts.Add([Frame("main", 3), Frame("it's <genexpr>", 9, firstLine: 9)], count: 5);

        var (svg, document) = Render(counts);

        var lambda = Assert.Single(Frames(document), f => Name(f) == "<lambda>&\"x\"");
        Assert.Equal("<lambda>&\"x\" (/app/main.py:7): 5 samples, 50.00% of all", lambda.Element(Svg + "title")!.Value);
        Assert.Equal("<lambda>&\"x\"", lambda.Element(Svg + "text")!.Value);
        Assert.Single(Frames(document), f => Name(f) == "it's <genexpr>");
        Assert.Contains("&lt;lambda&gt;&amp;&quot;x&quot;", svg);
    }

    [Fact]
    public void Two_lines_of_one_function_are_one_frame_and_a_namesake_elsewhere_is_another()
    {
        var counts = new StackCounts();
        counts.Add([Frame("main", 3), Frame("work", 10, firstLine: 8)], count: 3);
        counts.Add([Frame("main", 3), Frame("work", 12, firstLine: 8)], count: 4);
        counts.Add([Frame("main", 3), Frame("work", 30, firstLine: 28, file: "/app/other.py")], count: 1);

        var (_, document) = Render(counts);

        var works = Frames(document).Where(f => Name(f) == "work").ToList();
        Assert.Equal(2, works.Count);
        var merged = Assert.Single(works, f => (string?)f.Attribute("data-location") == "/app/main.py:8");
        Assert.Equal("7", (string?)merged.Attribute("data-samples"));
        Assert.Equal("8", (string?)Assert.Single(Frames(document), f => Name(f) == "main").Attribute("data-samples"));
    }

    [Fact]
    public void The_process_is_outermost_then_the_thread_then_the_functions()
    {
        var counts = new StackCounts();
        var process = new ProfileProcess(4321, "python3 worker.py");
        counts.Add([Frame("main", 3)], new ProfileThread(17, "MainThread"), 2, process);
        counts.Add([Frame("main", 3)], new ProfileThread(18, null), 1, process);

        var (_, document) = Render(counts);

        int Depth(string name) => int.Parse((string)Assert.Single(Frames(document), f => Name(f) == name).Attribute("data-depth")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, Depth("all"));
        Assert.Equal(1, Depth("process 4321 (python3 worker.py)"));
        Assert.Equal(2, Depth("thread MainThread (17)"));
        Assert.Equal(2, Depth("thread 18"));
        Assert.Equal(2, Frames(document).Count(f => Name(f) == "main"));
    }

    [Fact]
    public void An_empty_profile_is_a_valid_graph_that_says_there_were_no_samples()
    {
        var (svg, document) = Render(new StackCounts());

        Assert.Equal(Svg + "svg", document.Root!.Name);
        Assert.Empty(Frames(document));
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "No samples");
        Assert.DoesNotContain("<script", svg);
    }

    [Fact]
    public void The_graph_needs_nothing_from_outside_and_carries_its_style_and_script()
    {
        var counts = new StackCounts();
        counts.Add([Frame("main", 3)], count: 1);

        var (svg, document) = Render(counts);

        Assert.Single(document.Descendants(Svg + "style"));
        Assert.Contains("addEventListener", Assert.Single(document.Descendants(Svg + "script")).Value);
        Assert.DoesNotMatch(@"\b(href|src)\s*=|@import|url\(", svg);
        Assert.Equal("1200", (string?)document.Root!.Attribute("width"));
    }

    [Theory]
    [InlineData("compute_primes", 200, "compute_primes")]
    [InlineData("compute_primes", 60, "compu..")]
    [InlineData("compute_primes", 20, "")]
    public void A_label_is_cut_to_its_frame(string name, double pixels, string label)
    {
        Assert.Equal(label, FlamegraphFormat.Label(name, pixels));
    }

    [Fact]
    public void A_functions_colour_depends_on_its_name_alone()
    {
        Assert.Equal(FlameColours.Warm("compute_primes"), FlameColours.Warm("compute_primes"));
        Assert.Matches("^#[0-9a-f]{6}$", FlameColours.Warm("compute_primes"));
        Assert.NotEqual(FlameColours.Warm("share_a"), FlameColours.Warm("share_b"));
    }

    [Theory]
    [InlineData(null, "out.svg", "flamegraph")]
    [InlineData(null, "OUT.SVG", "flamegraph")]
    [InlineData("flamegraph", null, "flamegraph")]
    [InlineData(null, "out.txt", "text")]
    public void An_svg_file_name_chooses_the_flame_graph(string? format, string? output, string chosen)
    {
        Assert.Equal(chosen, ProfileWriters.Choose(format, output).Name);
    }

    private static ProfileFrame Frame(string function, int line, int? firstLine = 1, string file = "/app/main.py") => new(function, file, line, firstLine);

    private static (string Svg, XDocument Document) Render(StackCounts counts)
    {
        var process = new TargetProcess(42, 0, "root", "3.12.1", "/usr/bin/python3.12", null, "python3 /app/main.py");
        var result = new ProfileResult(process, new ProfileRequest(100, TimeSpan.FromSeconds(1), "flamegraph", false, false))
        {
            Samples = counts.Total,
            Elapsed = TimeSpan.FromSeconds(1),
        };
        foreach (var stack in counts.Stacks)
            result.Counts.Add(stack.Frames, stack.Thread, stack.Count, stack.Process);
        using var output = new MemoryStream();
        new FlamegraphFormat().Write(result, output);
        var svg = Encoding.UTF8.GetString(output.ToArray());
        return (svg, XDocument.Parse(svg));
    }

    private static IEnumerable<XElement> Frames(XDocument document) =>
        document.Descendants(Svg + "g").Where(g => ((string?)g.Attribute("class"))?.Split(' ').Contains("frame") == true);

    private static string? Name(XElement frame) => (string?)frame.Attribute("data-name");
}
