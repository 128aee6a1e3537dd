namespace Host.Injection.Transports;

/// <summary>What one run of a transport reported: its events, its exit code and its own output.</summary>
/// <param name="Transport">The transport's name for messages: "host-inject" or "gdb".</param>
/// <param name="Overran">It passed its deadline (and was told to detach).</param>
internal sealed record InjectionReport(IReadOnlyList<InjectionEvent> Events, int ExitCode, string Output, bool Overran, string Transport)
{
    public InjectionEvent? Error => Events.FirstOrDefault(e => e.Event == "error");

    public bool Detached => Events.Any(e => e.Event == "detached");

    public IEnumerable<InjectionEvent> Results => Events.Where(e => e.Event == "result");

    public string OutputTail
    {
        get
        {
            var lines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" | ", lines.TakeLast(3));
        }
    }
}
