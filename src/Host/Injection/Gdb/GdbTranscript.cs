namespace Host.Injection.Gdb;

/// <summary>What one injector run (gdb, or host-inject) reported: the driver's events, its exit code and its own output.</summary>
internal sealed record GdbTranscript(IReadOnlyList<GdbEvent> Events, int ExitCode, string Output, bool Overran, string Injector = "gdb")
{
    public GdbEvent? Error => Events.FirstOrDefault(e => e.Event == "error");

    public bool Detached => Events.Any(e => e.Event == "detached");

    public IEnumerable<GdbEvent> Results => Events.Where(e => e.Event == "result");

    public string OutputTail
    {
        get
        {
            var lines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" | ", lines.TakeLast(3));
        }
    }
}
