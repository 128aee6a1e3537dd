using System.Globalization;
using Host.Injection.Transports;
using Host.Linux;

namespace Host.Injection.Ptrace;

/// <summary>
/// The quick transport: host-inject (native/injector) does with ptrace, in a few milliseconds,
/// what the gdb driver does in a tenth of a second or more: a thread at a safe point performs the
/// steps, and only that thread is ever stopped. It reports the same events as the gdb driver.
/// When it cannot find a safe point at once, or cannot unwind stacks on this machine, it says so
/// (<see cref="FailureKind.NoSafePoint"/>, <see cref="FailureKind.Unavailable"/>) and the chain falls
/// back to gdb, which can wait for a safe point.
///
/// host-inject ignores SIGINT, SIGTERM and SIGPIPE and bounds its own waits: a host that is
/// interrupted or killed never stops it half-way through a call.
/// </summary>
internal sealed class PtraceTransport(string program) : IInjectionTransport
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public string Name => "host-inject";

    /// <summary>The transport, or null where host-inject is missing or HOST_INJECTOR=gdb asks for gdb only.</summary>
    public static PtraceTransport? Locate()
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
        return new PtraceTransport(path);
    }

    public Task<InjectionReport> RunAsync(int pid, IReadOnlyList<InjectionStep> steps, TimeSpan timeout, IReadOnlyList<string> libraries)
    {
        var arguments = new List<string>
        {
            pid.ToString(CultureInfo.InvariantCulture),
            ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var step in steps)
            AddArguments(arguments, step);
        // It never stops half-way through a call, so a late one is waited for, not killed.
        var run = ChildProcess.Run(program, arguments, timeout + Grace, timeout + Grace + TimeSpan.FromSeconds(60));
        // It never touched the target: gdb, which can do the same, is asked instead.
        if (!run.Started)
            return Task.FromResult(new InjectionReport([InjectionEvent.Error(FailureKind.Unavailable, $"host-inject could not be started: {run.Errors}")], -1, run.Errors, Overran: false, Name));
        if (!run.Finished)
            return Task.FromResult(new InjectionReport([], -1, "", Overran: true, Name));
        var events = new List<InjectionEvent>();
        foreach (var line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            events.Add(InjectionEvent.Parse(line));
        return Task.FromResult(new InjectionReport(events, run.ExitCode, run.Errors, run.Overran, Name));
    }

    private static void AddArguments(IList<string> arguments, InjectionStep call)
    {
        if (call.Kind == InjectionStep.StartAgentKind)
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
