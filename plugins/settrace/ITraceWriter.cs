using System.Text;

namespace Host.Plugins.Settrace;

/// <summary>Formats events and the closing summary into a buffer that is written out a batch at a time.</summary>
internal interface ITraceWriter
{
    void Write(TraceEvent traceEvent, StringBuilder output);

    void WriteSummary(TraceSummary summary, StringBuilder output);
}
