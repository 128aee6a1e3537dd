using System.Globalization;
using Host.Linux;
using Host.Processes;

namespace Host.Injection;

/// <summary>
/// The names of host's temporary directories: host-PID-START-&lt;16 hex digits&gt; (a session) and
/// host-PID-START-gdb-&lt;word&gt; (gdb's scratch folder), where START is when the host process
/// started (clock ticks since boot, /proc/PID/stat field 22). A pid alone cannot tell whether its
/// host still runs: the number is reused, by another process or by a thread of one (and /proc/N
/// exists for a thread id too, though /proc does not list it). The names of hosts before this one
/// (host-PID-&lt;hex&gt;) are still recognised, with the pid alone.
/// </summary>
internal static class SessionNames
{
    private static readonly Lazy<string> Prefix = new(() =>
        $"host-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{ProcFs.StartTime(Environment.ProcessId)?.ToString(CultureInfo.InvariantCulture) ?? "0"}-");

    public static string Session() => Prefix.Value + RandomHex.Of(8);

    /// <summary>The prefix of gdb's scratch folder (the rest is random).</summary>
    public static string GdbScratchPrefix() => Prefix.Value + "gdb-";

    /// <summary>True when <paramref name="name"/> is a directory name host makes and its host is gone.</summary>
    public static bool IsStale(string name)
    {
        if (Parse(name) is not { } owner)
            return false;
        if (owner.Pid == Environment.ProcessId)
            return owner.Start is { } then && ProcFs.StartTime(owner.Pid) is { } mine && then != mine; // an earlier host with our pid
        // A thread id is not a process: its /proc/N/stat names the thread group leader elsewhere.
        if (ProcFs.ThreadGroup(owner.Pid) != owner.Pid || !ProcFs.IsAlive(owner.Pid))
            return true;
        return owner.Start is { } start && ProcFs.StartTime(owner.Pid) is { } now && now != start;
    }

    private static (int Pid, long? Start)? Parse(string name)
    {
        if (!name.StartsWith("host-", StringComparison.Ordinal))
            return null;
        var rest = name.AsSpan("host-".Length);
        if (Number(ref rest) is not { } pid || pid > int.MaxValue)
            return null;
        var restAfterPid = rest;
        var start = Number(ref rest);
        if (start is not null && Named(rest))
            return ((int)pid, start == 0 ? null : start); // 0: the host could not read its own start time
        return Named(restAfterPid) ? ((int)pid, null) : null;
    }

    // Digits then a dash: the number, with the text after the dash left in rest.
    private static long? Number(ref ReadOnlySpan<char> rest)
    {
        var dash = rest.IndexOf('-');
        if (dash <= 0 || !AsciiText.IsDigits(rest[..dash]) || !long.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null;
        rest = rest[(dash + 1)..];
        return number;
    }

    private static bool Named(ReadOnlySpan<char> tail) =>
        tail.Length == 16 && AsciiText.IsLowerHex(tail)
        || tail.StartsWith("gdb-", StringComparison.Ordinal) && tail.Length > 4 && IsWord(tail[4..]);

    private static bool IsWord(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
                return false;
        }
        return true;
    }
}
