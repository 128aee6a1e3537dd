using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>Renders a dump like Python tracebacks, one block per thread.</summary>
internal static class TextRenderer
{
    public static void Write(PythonStacks dump, TextWriter output)
    {
        output.WriteLine($"Process {dump.Pid}: Python {dump.Python} ({dump.Executable}), {dump.Threads.Count} thread{(dump.Threads.Count == 1 ? "" : "s")}");
        foreach (var thread in dump.Threads)
        {
            output.WriteLine();
            output.WriteLine(Header(thread));
            if (thread.Frames.Count == 0)
                output.WriteLine("  (no Python frames)");
            foreach (var frame in thread.Frames)
            {
                var line = frame.Line?.ToString(CultureInfo.InvariantCulture) ?? "?";
                output.WriteLine($"  File \"{frame.File}\", line {line}, in {frame.Function}");
                if (!string.IsNullOrEmpty(frame.Source))
                    output.WriteLine($"    {frame.Source}");
                foreach (var pair in frame.Locals ?? [])
                    output.WriteLine($"      {pair[0]} = {pair[1]}");
            }
        }
    }

    private static string Header(PythonThread thread)
    {
        var traits = new List<string>();
        if (thread.Main)
            traits.Add("main thread");
        if (thread.Daemon == true)
            traits.Add("daemon");
        if (thread.NativeId is { } native)
            traits.Add($"native id {native}");
        var name = thread.Name is null ? "" : $" \"{thread.Name}\"";
        return $"Thread {thread.Ident}{name}{(traits.Count > 0 ? " (" + string.Join(", ", traits) + ")" : "")}:";
    }
}
