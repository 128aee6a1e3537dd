namespace Host.Plugins.Settrace;

/// <summary>What the end of a trace reports.</summary>
/// <param name="Ending">How tracing ended, e.g. "removed from process 1234".</param>
/// <param name="CallsPerFunction">With --summary: calls shown per function, most first.</param>
internal sealed record TraceSummary(
    long Shown,
    long Dropped,
    double Seconds,
    int Threads,
    string Ending,
    IReadOnlyList<(string Function, long Count)>? CallsPerFunction);
