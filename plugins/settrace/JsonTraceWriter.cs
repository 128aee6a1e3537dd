using System.Text;
using System.Text.Json;

namespace Host.Plugins.Settrace;

/// <summary>JSON lines: one object per event, then one "summary" object.</summary>
internal sealed class JsonTraceWriter : ITraceWriter
{
    private readonly MemoryStream _buffer = new();

    public void Write(TraceEvent e, StringBuilder output) => Emit(output, json =>
    {
        json.WriteNumber("time", Math.Round(e.Time, 9));
        json.WriteString("event", TraceVocabulary.EventName(e.Kind));
        json.WriteString("thread", e.Thread.Label);
        json.WriteNumber("thread_id", e.Thread.Ident);
        if (e.Thread.NativeId is { } native)
            json.WriteNumber("native_id", native);
        json.WriteNumber("depth", e.Depth);
        json.WriteString("function", e.Function.Name);
        if (e.Function.Module is { } module)
            json.WriteString("module", module);
        json.WriteString("file", e.Function.File);
        json.WriteNumber("line", e.Function.Line);
        if (e.Elapsed is { } elapsed)
            json.WriteNumber("elapsed", Math.Round(elapsed, 9));
        if (e.Kind == TraceKind.Unwind)
            json.WriteBoolean("by_exception", true);
        if (e.Exception is { } exception)
            json.WriteString("exception", exception);
    });

    public void WriteSummary(TraceSummary summary, StringBuilder output) => Emit(output, json =>
    {
        json.WriteString("event", "summary");
        json.WriteNumber("shown", summary.Shown);
        json.WriteNumber("dropped", summary.Dropped);
        json.WriteNumber("seconds", Math.Round(summary.Seconds, 3));
        json.WriteNumber("threads", summary.Threads);
        json.WriteString("ending", summary.Ending);
        if (summary.CallsPerFunction is { } calls)
        {
            json.WriteStartObject("calls");
            foreach (var (function, count) in calls)
                json.WriteNumber(function, count);
            json.WriteEndObject();
        }
    });

    private void Emit(StringBuilder output, Action<Utf8JsonWriter> body)
    {
        _buffer.SetLength(0);
        using (var json = new Utf8JsonWriter(_buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        output.Append(Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length)).Append('\n');
    }
}
