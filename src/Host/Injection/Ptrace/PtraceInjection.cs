using System.Globalization;
using Host.Injection.Gdb;

namespace Host.Injection.Ptrace;

/// <summary>
/// The quick injection path: host-inject (native/injector) does with ptrace, in a few milliseconds,
/// what the gdb driver does in a tenth of a second or more: a thread at a safe point performs the
/// calls, and only that thread is ever stopped. It reports the same events as the gdb driver.
/// When it cannot find a safe point at once, or cannot unwind stacks on this machine, it says so
/// and the caller falls back to gdb, which can wait for a safe point.
///
/// host-inject ignores SIGINT, SIGTERM and SIGPIPE and bounds its own waits: a host that is
/// interrupted or killed never stops it half-way through a call.
/// </summary>
internal static class PtraceInjection
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>The host-inject program, or null where it is missing or HOST_INJECTOR=gdb asks for gdb only.</summary>
    public static string? Locate()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("HOST_INJECTOR"), "gdb", StringComparison.Ordinal))
            return null;
        var path = Path.Combine(AppContext.BaseDirectory, "host-inject");
        if (!File.Exists(path))
            return null;
        // A NuGet package (dotnet tool install) does not keep the executable bit.
        const UnixFileMode execute = UnixFileMode.UserExecute;
        if ((File.GetUnixFileMode(path) & execute) == 0)
        {
            try
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | execute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
            catch (Exception error) when (error is UnauthorizedAccessException or IOException)
            {
                return null;
            }
        }
        return path;
    }

    /// <summary>True when the transcript says gdb may still succeed where the quick path could not.</summary>
    public static bool WantsGdb(GdbTranscript transcript) =>
        transcript.Error?.Kind is "no-safe-point" or "unavailable";

    public static Task<GdbTranscript> RunAsync(string program, int pid, IReadOnlyList<GdbCall> calls, TimeSpan timeout)
    {
        var arguments = new List<string>
        {
            pid.ToString(CultureInfo.InvariantCulture),
            ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var call in calls)
            AddArguments(arguments, call);
        // It never stops half-way through a call, so a late one is waited for, not killed.
        var run = InjectorProcess.Run(program, arguments, timeout + Grace, timeout + Grace + TimeSpan.FromSeconds(60));
        // It never touched the target: gdb, which can do the same, is asked instead.
        if (!run.Started)
            return Task.FromResult(new GdbTranscript([new GdbEvent("error", "unavailable", $"host-inject could not be started: {run.Errors}")], -1, run.Errors, Overran: false, Injector: "host-inject"));
        if (!run.Finished)
            return Task.FromResult(new GdbTranscript([], -1, "", Overran: true, Injector: "host-inject"));
        var events = new List<GdbEvent>();
        foreach (var line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            events.Add(GdbEvent.Parse(line));
        return Task.FromResult(new GdbTranscript(events, run.ExitCode, run.Errors, run.Overran, "host-inject"));
    }

    private static void AddArguments(IList<string> arguments, GdbCall call)
    {
        if (call.Kind == "start-agent")
        {
            arguments.Add("start-agent");
            arguments.Add(call.Agent!);
            arguments.Add(call.Function!);
            arguments.Add(call.Session!);
            return;
        }
        var args = call.Args ?? [];
        arguments.Add("call");
        arguments.Add(call.Function!);
        arguments.Add(call.Returns ?? "long");
        arguments.Add(args.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var arg in args)
        {
            arguments.Add(arg switch
            {
                bool b => b ? "i:1" : "i:0",
                string text => "s:" + text,
                IConvertible number => "i:" + Convert.ToInt64(number, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                _ => "s:" + arg,
            });
        }
    }
}
