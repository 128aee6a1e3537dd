using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// `host run profile -o out.svg` on a real target, the SVG then opened in headless Chromium as a
/// person would open it (tests/browser/flamegraph.js): the function names are drawn (read back from
/// a screenshot by OCR, not from the markup), hovering a frame tells its samples and share, a click
/// zooms into it and "Reset zoom" back out, and a search tells the share it matched.
/// </summary>
public sealed partial class FlamegraphTests
{
    // Long and distinctive (tests/fixtures/flame_names.py): an OCR cannot find them by chance.
    private const string Busiest = "tabulate_prime_numbers_slowly";
    private const string Caller = "dispatch_flame_work";

    /// <summary>The graph's width less its margins: a frame zoomed into fills it.</summary>
    private const double FramesWidth = 1180;

    [Fact]
    public async Task A_profile_written_to_an_svg_file_is_a_flame_graph_that_a_browser_shows_and_that_answers_hover_click_and_search()
    {
        BrowserTools.AssertInstalled();
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "flame_names.py");
        // Kept after the run, for a person to look at what the browser showed.
        var folder = Path.Combine(RepoPaths.Root, "artifacts", "test-output", "flamegraph");
        Directory.CreateDirectory(folder);
        var graph = Path.Combine(folder, "profile.svg");
        var screenshot = Path.Combine(folder, "profile.png");
        File.Delete(graph);

        var result = await HostRun.RunAsync("run", "profile", "-p", target.Pid.ToString(CultureInfo.InvariantCulture), "--duration", "2", "-o", graph);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);
        XDocument.Parse(File.ReadAllText(graph));
        var seen = await BrowserTools.RunScriptAsync("flamegraph.js", graph, screenshot, Busiest);
        var report = $"{seen}\n(graph and screenshots in {folder})\n{result.Stderr}";
        Assert.True(seen.GetProperty("errors").GetArrayLength() == 0, "the page's script failed: " + report);
        Assert.True(seen.GetProperty("requests").GetArrayLength() == 0, "the graph asked for something outside itself: " + report);
        // Its two lines (and every sample of it) in one frame.
        Assert.True(seen.GetProperty("named").GetInt32() == 1, report);

        // The caller of both functions spans the graph: its name is drawn whatever the shares came out
        // as on a busy machine. The function clicked fills the graph once zoomed into, its label
        // then cut again to its new width by the graph's script.
        await AssertShownAsync(screenshot, Caller, report);
        await AssertShownAsync(Path.ChangeExtension(screenshot, null) + "-zoomed.png", Busiest, report);

        var hovered = Details().Match(seen.GetProperty("hovered").GetString()!);
        Assert.True(hovered.Success, "hovering the frame does not show its details: " + report);
        var share = double.Parse(hovered.Groups["share"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(share, 0.01, 99.99);

        var before = seen.GetProperty("widthBefore").GetDouble();
        Assert.True(seen.GetProperty("widthZoomed").GetDouble() > before, "a click does not zoom in: " + report);
        Assert.Equal(FramesWidth, seen.GetProperty("widthZoomed").GetDouble(), 1);
        Assert.True(seen.GetProperty("resetShown").GetBoolean(), report);
        Assert.Equal(before, seen.GetProperty("widthReset").GetDouble(), 1);

        // The frames the search matches are this function and what it called: their share is its own.
        var matched = Matched().Match(seen.GetProperty("matched").GetString()!);
        Assert.True(matched.Success, "the search shows no matched share: " + report);
        Assert.Equal(share, double.Parse(matched.Groups["share"].Value, CultureInfo.InvariantCulture), 2);
        Assert.True(seen.GetProperty("matchedFrames").GetInt32() >= 1, report);

        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    private static async Task AssertShownAsync(string screenshot, string name, string report)
    {
        var text = await BrowserTools.ReadTextAsync(screenshot);
        Assert.True(Letters(text).Contains(Letters(name), StringComparison.Ordinal), $"{name} is not in the text read from {screenshot}:\n{text}\n{report}");
    }

    // The OCR may take "_" for a space or drop it, and read "l" as "I": compared as letters alone,
    // lower-case, with i and l one letter.
    private static string Letters(string text) => new([.. text.ToLowerInvariant().Where(char.IsAsciiLetter).Select(c => c == 'i' ? 'l' : c)]);

    [GeneratedRegex($@"^{Busiest} \(.*flame_names\.py(:\d+)?\): \d+ samples, (?<share>\d+\.\d\d)% of all$")]
    private static partial Regex Details();

    [GeneratedRegex(@"^Matched: (?<share>\d+\.\d\d)% of all \(\d+ frames?\)$")]
    private static partial Regex Matched();
}
