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

    // Millions of lines a second: the parts that repeat are formatted once per function and thread.
    private readonly Dictionary<FunctionInfo, string> _callText = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ThreadInfo, string> _threadColumn = new(ReferenceEqualityComparer.Instance);

    public void Write(TraceEvent e, StringBuilder output)
    {
        AppendSeconds(e.Time, output);
        output.Append(' ').Append(ThreadColumn(e.Thread)).Append(' ');
        output.Append(' ', Math.Min(e.Depth * 2, MaxIndent));
        var function = e.Function;
        switch (e.Kind)
        {
            case TraceKind.Call:
                output.Append(CallText(function));
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

    /// <summary>The same text as {seconds,12:F6}, without the cost of general number formatting.</summary>
    internal static void AppendSeconds(double seconds, StringBuilder output)
    {
        var micros = (long)Math.Round(seconds * 1e6, MidpointRounding.AwayFromZero);
        var whole = micros / 1_000_000;
        var fraction = micros % 1_000_000;
        var wholeDigits = Digits(whole);
        if (wholeDigits < 5)
            output.Append(' ', 5 - wholeDigits);
        output.Append(whole).Append('.').Append('0', 6 - Digits(fraction)).Append(fraction);
    }

    private static int Digits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private string CallText(FunctionInfo function)
    {
        if (!_callText.TryGetValue(function, out var text))
            _callText[function] = text = string.Create(CultureInfo.InvariantCulture, $"-> {function.Name} ({function.File}:{function.Line})");
        return text;
    }

    private string ThreadColumn(ThreadInfo thread)
    {
        if (!_threadColumn.TryGetValue(thread, out var column))
        {
            var label = thread.Label;
            column = (label.Length > ThreadWidth ? label[..(ThreadWidth - 1)] + "~" : label).PadRight(ThreadWidth);
            _threadColumn[thread] = column;
        }
        return column;
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
