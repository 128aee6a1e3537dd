namespace Host.Plugins.Settrace;

/// <summary>One event ready to show: seconds since tracing began, and what it refers to by name.</summary>
internal sealed record TraceEvent(
    double Time,
    TraceKind Kind,
    ThreadInfo Thread,
    int Depth,
    FunctionInfo Function,
    double? Elapsed,
    string? Exception);
