namespace Host.Plugins.Settrace;

/// <summary>
/// Turns records into events: names from <see cref="TraceNames"/>, time relative to the start,
/// and a return's elapsed time from its call, kept per thread (a frame entered before tracing
/// began has no call to match, so its return shows none).
/// </summary>
internal sealed class TraceAssembler(TraceNames names, ulong startedNs)
{
    private const int MaxOpenCalls = 4096;
    private readonly Dictionary<int, List<(uint Code, ulong TimeNs)>> _open = [];

    public TraceEvent Assemble(TraceRecord record)
    {
        double? elapsed = null;
        var stack = OpenCalls(record.Thread);
        switch (record.Kind)
        {
            case TraceKind.Call:
                // Without return events nothing is ever popped: keep only the recent calls.
                if (stack.Count >= MaxOpenCalls)
                    stack.RemoveRange(0, MaxOpenCalls / 2);
                stack.Add((record.Code, record.TimeNs));
                break;
            case TraceKind.Return or TraceKind.Unwind:
                var index = stack.FindLastIndex(call => call.Code == record.Code);
                if (index >= 0)
                {
                    elapsed = (record.TimeNs - stack[index].TimeNs) / 1e9;
                    stack.RemoveRange(index, stack.Count - index);
                }
                break;
        }
        var exception = record.Kind == TraceKind.Exception ? names.ExceptionType(record.Extra) ?? "an exception" : null;
        return new TraceEvent(
            record.TimeNs >= startedNs ? (record.TimeNs - startedNs) / 1e9 : 0,
            record.Kind,
            names.Thread(record.Thread),
            (int)Math.Min(record.Depth, 1000),
            names.Function(record.Code),
            elapsed,
            exception);
    }

    private List<(uint Code, ulong TimeNs)> OpenCalls(int thread)
    {
        if (!_open.TryGetValue(thread, out var stack))
            _open[thread] = stack = [];
        return stack;
    }
}
