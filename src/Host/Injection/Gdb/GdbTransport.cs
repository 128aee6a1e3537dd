using System.Text.Json;
using CliWrap;
using Host.Injection.Transports;
using Host.Linux;

namespace Host.Injection.Gdb;

/// <summary>
/// The fallback transport: one gdb process with the driver loaded (gdb_driver.py), started ahead of need: gdb's own start-up (~70 ms) then
/// overlaps with ours. It touches no process until it is given a plan, and quits by itself if the
/// plan never comes (its directory is removed, or the host is gone).
///
/// gdb runs in a session of its own (so a Ctrl-C typed at the terminal never reaches it or, through
/// it, the target) and writes to files (so a host killed with SIGKILL cannot kill it half-way
/// through a call). Once it has a plan it is never cancelled: the plan is bounded, and stopping gdb
/// during an inferior call would leave the target with a broken stack. Only a gdb that overruns its
/// own deadline gets SIGTERM, on which it detaches.
/// </summary>
internal sealed class GdbTransport : IInjectionTransport, IAsyncDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly PrivateDirectory _scratch;
    private readonly CommandTask<CommandResult> _running;
    private bool _used;

    private GdbTransport(PrivateDirectory scratch, CommandTask<CommandResult> running)
    {
        _scratch = scratch;
        _running = running;
    }

    private string PlanPath => _scratch.File("plan.json");

    private string ResultPath => _scratch.File("result.jsonl");

    private string LogPath => _scratch.File("gdb.log");

    public string Name => "gdb";

    /// <param name="scratchPrefix">The name its private directory starts with (the stale-session sweep knows it).</param>
    public static GdbTransport Start(string gdbPath, string scratchPrefix)
    {
        var scratch = new PrivateDirectory(scratchPrefix);
        var driver = GdbDriverFiles.Write(scratch);
        var command = CliWrap.Cli.Wrap("setsid")
            .WithArguments(["sh", "-c", "exec \"$0\" \"$@\" >\"$HOST_GDB_LOG\" 2>&1 </dev/null",
                gdbPath, "-nx", "-nh", "-batch", "-x", driver])
            .WithEnvironmentVariables(env => env
                .Set("HOST_GDB_PLAN", scratch.File("plan.json"))
                .Set("HOST_GDB_LOG", scratch.File("gdb.log"))
                .Set("HOST_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Set("PYTHONPATH", null)
                .Set("PYTHONHOME", null))
            .WithValidation(CommandResultValidation.None);
        return new GdbTransport(scratch, command.ExecuteAsync());
    }

    public async Task<InjectionReport> RunAsync(int pid, IReadOnlyList<InjectionStep> steps, TimeSpan timeout, IReadOnlyList<string> libraries)
    {
        if (_used)
            throw new InvalidOperationException("a gdb process runs one plan");
        _used = true;
        var planJson = JsonSerializer.Serialize(new { pid, result = ResultPath, timeout = timeout.TotalSeconds, calls = steps, libraries }, Json);
        // Written aside and renamed, so that the driver never reads half a plan.
        var draft = PlanPath + ".draft";
        await File.WriteAllTextAsync(draft, planJson).ConfigureAwait(false);
        File.Move(draft, PlanPath);

        var finished = await Task.WhenAny(_running.Task, Task.Delay(timeout + Grace)).ConfigureAwait(false);
        var overran = finished != _running.Task;
        if (overran)
        {
            Libc.Kill(_running.ProcessId, Libc.SIGTERM);
            if (await Task.WhenAny(_running.Task, Task.Delay(Grace)).ConfigureAwait(false) != _running.Task)
                Libc.Kill(_running.ProcessId, Libc.SIGKILL);
        }
        var exit = await _running.Task.ConfigureAwait(false);
        ResumeIfLeftStopped(pid);
        var events = new List<InjectionEvent>();
        if (File.Exists(ResultPath))
        {
            foreach (var line in await File.ReadAllLinesAsync(ResultPath).ConfigureAwait(false))
            {
                if (line.Length > 0)
                    events.Add(InjectionEvent.Parse(line));
            }
        }
        var output = File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath).ConfigureAwait(false) : "";
        // Only gdb's own words say this: the driver never ran.
        if (events.Count == 0 && output.Contains("Python scripting is not supported", StringComparison.Ordinal))
            events.Add(InjectionEvent.Error(FailureKind.GdbWithoutPython, "gdb was built without Python"));
        return new InjectionReport(events, exit.ExitCode, output, overran, Name);
    }

    /// <summary>
    /// The target was running before gdb (we refuse stopped targets), so if it is now stopped with no
    /// tracer, gdb died before it could detach cleanly and the kernel left the attach SIGSTOP pending.
    /// </summary>
    private static void ResumeIfLeftStopped(int pid)
    {
        if (ProcFs.State(pid) == 'T' && ProcFs.StatusNumber(pid, "TracerPid") == 0)
            Libc.Kill(pid, Libc.SIGCONT);
    }

    public async ValueTask DisposeAsync()
    {
        // Without a plan, removing the folder tells the waiting driver to quit. It has attached
        // to nothing, so if it lingers it can safely be killed. With a plan, gdb has already ended.
        _scratch.Dispose();
        if (!_used && await Task.WhenAny(_running.Task, Task.Delay(1000)).ConfigureAwait(false) != _running.Task)
            Libc.Kill(_running.ProcessId, Libc.SIGKILL);
        try
        {
            await _running.Task.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or InvalidOperationException)
        {
        }
    }
}
