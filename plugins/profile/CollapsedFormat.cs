using System.Globalization;

namespace Host.Plugins.Profile;

/// <summary>
/// One "frame;frame;frame count" line per distinct stack, outermost first, as flamegraph.pl and
/// inferno read it; a frame is "function (file:line)", as py-spy writes it. With --subprocesses each
/// stack starts with its process, and with --threads then its thread.
/// </summary>
internal sealed class CollapsedFormat : ProfileFormat
{
    public override string Name => "collapsed";

    public override IReadOnlyList<string> Extensions => [".collapsed", ".folded"];

    public override void Write(ProfileResult result, Stream output)
    {
        using var text = TextOver(output);
        foreach (var stack in result.Counts.Stacks.OrderByDescending(s => s.Count))
        {
            if (stack.Process is { } process)
                text.Write(Clean(process.Label) + ";");
            if (stack.Thread is { } thread)
                text.Write(Clean(thread.Label) + ";");
            text.Write(string.Join(';', stack.Frames.Select(Label)));
            text.Write(' ');
            text.WriteLine(stack.Count.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Label(ProfileFrame frame) =>
        Clean($"{frame.Function} ({frame.File}:{frame.Line?.ToString(CultureInfo.InvariantCulture) ?? "?"})");

    // ';' separates frames and the last space the count: a ';' inside a frame's text would split it.
    private static string Clean(string text) => text.Replace(';', ',').Replace('\n', ' ');
}
