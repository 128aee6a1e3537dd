using System.Globalization;
using System.Text;

namespace Host.Plugins.Settrace;

/// <summary>
/// One line per event: seconds since tracing began, thread, then the event indented by call depth.
/// "-&gt;" a call, "&lt;-" a return with its elapsed time, "!!" an exception raised.
/// </summary>
internal sealed class TextTraceWriter : ITraceWriter
{
    private const int ThreadWidth = 15;
    private const int MaxIndent = 60;

    public void Write(TraceEvent e, StringBuilder output)
    {
        var thread = e.Thread.Label;
        if (thread.Length > ThreadWidth)
            thread = thread[..(ThreadWidth - 1)] + "~";
        output.Append(CultureInfo.InvariantCulture, $"{e.Time,12:F6} {thread,-ThreadWidth} ");
        output.Append(' ', Math.Min(e.Depth * 2, MaxIndent));
        var function = e.Function;
        switch (e.Kind)
        {
            case TraceKind.Call:
                output.Append(CultureInfo.InvariantCulture, $"-> {function.Name} ({function.File}:{function.Line})");
                break;
            case TraceKind.Return:
            case TraceKind.Unwind:
                output.Append("<- ").Append(function.Name);
                if (e.Kind == TraceKind.Unwind)
                    output.Append(" (exception)");
                if (e.Elapsed is { } elapsed)
                    output.Append("  ").Append(Duration(elapsed));
                break;
            case TraceKind.Exception:
                output.Append(CultureInfo.InvariantCulture, $"!! {e.Exception} in {function.Name} ({function.File}:{function.Line})");
                break;
        }
        output.Append('\n');
    }

    public void WriteSummary(TraceSummary summary, StringBuilder output)
    {
        output.Append(CultureInfo.InvariantCulture,
            $"--- {summary.Shown} events shown in {summary.Seconds:F1} s from {summary.Threads} thread{(summary.Threads == 1 ? "" : "s")}; {summary.Dropped} dropped");
        output.Append(summary.Dropped > 0 ? " (the reader fell behind; --lossless makes the target wait instead)" : "");
        output.Append(CultureInfo.InvariantCulture, $"; tracing {summary.Ending}\n");
        if (summary.CallsPerFunction is not { } calls)
            return;
        output.Append("--- calls per function:\n");
        foreach (var (function, count) in calls)
            output.Append(CultureInfo.InvariantCulture, $"{count,10}  {function}\n");
    }

    internal static string Duration(double seconds) => seconds switch
    {
        < 1e-3 => (seconds * 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " us",
        < 1 => (seconds * 1e3).ToString("0.000", CultureInfo.InvariantCulture) + " ms",
        _ => seconds.ToString("0.000", CultureInfo.InvariantCulture) + " s",
    };
}
