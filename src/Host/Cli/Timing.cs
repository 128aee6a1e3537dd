using System.Diagnostics;

namespace Host.Cli;

/// <summary>HOST_TIMING=1: milestones of a run, in ms since the process started, on stderr (for benchmarks).</summary>
internal static class Timing
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("HOST_TIMING") == "1";
    private static readonly DateTime Started = Enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

    public static void Mark(string milestone)
    {
        if (Enabled)
            Console.Error.WriteLine($"[host +{(DateTime.UtcNow - Started).TotalMilliseconds:0.0} ms] {milestone}");
    }
}
