using System.Diagnostics;

namespace Host.Tests.Support;

/// <summary>Sends signals with the kill command (pids only ever of processes the test started).</summary>
public static class Signals
{
    public static void Send(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public static char State(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }
}
