using Host.Abstractions;
using Host.Injection.Transports;
using Host.Linux;
using Host.Processes;

namespace Host.Injection;

/// <summary>
/// The injection primitives, written once above the transports: each primitive is one short
/// attach, safe point, steps, detach; files and channels live in a session directory the target can use.
/// </summary>
internal sealed class InjectedTarget(TargetProcess process, TransportChain transports, AgentLibrary agent, TimeSpan timeout) : ITarget
{
    private SessionDirectory? _session;

    public TargetProcess Process { get; } = process;

    // [a-z0-9][a-z0-9-]{0,40}: the name becomes a file name in the session directory.
    private static bool IsChannelName(string name)
    {
        if (name.Length is 0 or > 41 || name[0] == '-')
            return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiDigit(c) && !char.IsAsciiLetterLower(c) && c != '-')
                return false;
        }
        return true;
    }

    public async Task<NativeValue> CallFunctionAsync(NativeCall call, CancellationToken cancellationToken)
    {
        if (!AsciiText.IsCIdentifier(call.Function))
            throw new CapabilityException(ExitCodes.Usage, $"'{call.Function}' is not a C function name");
        var returns = call.Returns.ToString().ToLowerInvariant();
        var report = await transports.RunAsync(Process.Pid, [InjectionStep.CallFunction(call.Function, returns, call.Arguments)], timeout, ["libpython"]).ConfigureAwait(false);
        var result = InjectionOutcome.Check(report, Process, timeout).Single();
        if (result.Value is not { } value || value.ValueKind == System.Text.Json.JsonValueKind.Null)
            return new NativeValue(null, null);
        return value.ValueKind == System.Text.Json.JsonValueKind.String
            ? new NativeValue(null, value.GetString())
            : new NativeValue(value.GetInt64(), null);
    }

    public Task<IChannel> OpenChannelAsync(string name, CancellationToken cancellationToken)
    {
        var (hostPath, targetPath) = CreateFifo(name);
        return Task.FromResult<IChannel>(new FifoChannel(hostPath, targetPath, () => ProcFs.IsAlive(Process.Pid)));
    }

    public Task<ICommandChannel> OpenCommandChannelAsync(string name, CancellationToken cancellationToken)
    {
        var (hostPath, targetPath) = CreateFifo(name);
        return Task.FromResult<ICommandChannel>(new FifoCommandChannel(hostPath, targetPath));
    }

    private (string HostPath, string TargetPath) CreateFifo(string name)
    {
        if (!IsChannelName(name))
            throw new ArgumentException($"channel names are lower-case words: '{name}'", nameof(name));
        var session = Session();
        var file = name + ".fifo";
        return (session.CreateFifo(file), session.TargetFile(file));
    }

    public async Task RunPythonAsync(PythonPayload payload, CancellationToken cancellationToken)
    {
        var session = Session();
        session.WriteText("payload.py", EmbeddedFile.Read("prelude.py") + "\n# --- " + payload.Name + " ---\n" + payload.Source);
        session.WriteText("params.json", payload.ParametersJson);
        session.CopyOnce(agent.Path, "libhostagent.so");
        var start = InjectionStep.StartAgent(session.TargetFile("libhostagent.so"), agent.EntryPoint, session.TargetPath);
        var report = await transports.RunAsync(Process.Pid, [start], timeout).ConfigureAwait(false);
        var result = InjectionOutcome.Check(report, Process, timeout).Single();
        var status = result.Value?.GetInt32() ?? -100;
        if (status != 0)
        {
            // An interpreter that is no longer initialised may be one shutting down: then the process is leaving.
            if (status == -2 && TargetInspector.ExitsShortly(Process.Pid))
                throw InjectionOutcome.Exited(Process.Pid);
            throw AgentRefused(status);
        }
    }

    private CapabilityException AgentRefused(int status) => status switch
    {
        -1 => new(ExitCodes.TargetNotFound, $"process {Process.Pid} does not export the CPython API (an interpreter built without shared symbols?)"),
        -2 => new(ExitCodes.Failed, $"the Python interpreter of process {Process.Pid} is not initialised yet (or is shutting down)", "try again in a moment"),
        -3 => new(ExitCodes.Failed, $"the target could not start a thread (out of memory or thread limit reached)"),
        -4 => new(ExitCodes.Timeout, $"this Python 2.7 or 3.6 process has never started a thread, so its main thread must be interrupted, and it was not at a safe point", "try again"),
        _ => new(ExitCodes.Failed, $"the agent refused to start (status {status})"),
    };

    private SessionDirectory Session()
    {
        if (_session is not null)
            return _session;
        var gid = ProcFs.StatusNumber(Process.Pid, "Gid") ?? Process.Uid;
        _session = SessionDirectory.Create(Process, gid);
        return _session;
    }

    public ValueTask DisposeAsync()
    {
        _session?.Dispose();
        _session = null;
        return ValueTask.CompletedTask;
    }
}
