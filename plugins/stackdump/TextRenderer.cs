using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>Renders a dump like Python tracebacks, one block per thread.</summary>
internal static class TextRenderer
{
    public static void Write(PythonStacks dump, TextWriter output)
    {
        output.WriteLine($"Process {dump.Pid}: Python {dump.Python} ({dump.Executable}), {dump.Threads.Count} thread{(dump.Threads.Count == 1 ? "" : "s")}");
        if (Method(dump) is { } method)
            output.WriteLine(method);
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

    /// <summary>One line: how the stacks were got and why.</summary>
    private static string? Method(PythonStacks dump)
    {
        var how = dump.Method switch
        {
            "read" => dump.ThreadsStopped == false
                ? "Read from outside without stopping the threads (a stack may be torn)"
                : dump.PauseMilliseconds is { } pause
                    ? $"Read from outside, the threads stopped for {pause:0.0} ms"
                    : "Read from outside, the threads stopped for the read",
            "inject" => "Injected",
            _ => null,
        };
        return how is null ? null : string.IsNullOrEmpty(dump.Reason) ? how + "." : $"{how}: {dump.Reason}.";
    }

    private static string Header(PythonThread thread)
    {
        var traits = new List<string>();
        if (thread.Main)
            traits.Add("main thread");
        if (thread.HoldsGil == true)
            traits.Add("holds the GIL");
        if (thread.State is { } state)
            traits.Add(state switch
            {
                ThreadStates.WaitingForGil => "waiting for the GIL",
                ThreadStates.Idle => "idle",
                ThreadStates.Running => "running",
                _ => state,
            });
        if (thread.Daemon == true)
            traits.Add("daemon");
        if (thread.NativeId is { } native)
            traits.Add($"native id {native}");
        var name = thread.Name is null ? "" : $" \"{thread.Name}\"";
        return $"Thread {thread.Ident}{name}{(traits.Count > 0 ? " (" + string.Join(", ", traits) + ")" : "")}:";
    }
}
