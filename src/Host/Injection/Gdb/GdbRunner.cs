using System.Text.Json;
using CliWrap;

namespace Host.Injection.Gdb;

/// <summary>
/// Runs gdb once with the driver script: attach, safe point, calls, detach. gdb runs in a session of
/// its own (so a Ctrl-C typed at the terminal never reaches it or, through it, the target) and
/// writes to files (so a host killed with SIGKILL cannot kill it half-way through a call). It is
/// never cancelled: its plan is bounded, and stopping gdb during an inferior call would leave the
/// target with a broken stack. Only a gdb that overruns its own deadline gets SIGTERM, on which it
/// detaches.
/// </summary>
internal sealed class GdbRunner(string gdbPath)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The target was running before gdb (we refuse stopped targets), so if it is now stopped with no
    /// tracer, gdb died before it could detach cleanly and the kernel left the attach SIGSTOP pending.
    /// </summary>
    private static void ResumeIfLeftStopped(int pid)
    {
        if (Processes.ProcFs.State(pid) == 'T' && Processes.ProcFs.StatusNumber(pid, "TracerPid") == 0)
            Libc.Kill(pid, Libc.SIGCONT);
    }

    /// <param name="libraries">Regular expressions of shared libraries whose symbols the calls need besides libc and the loader.</param>
    public async Task<GdbTranscript> RunAsync(int pid, IReadOnlyList<GdbCall> calls, TimeSpan timeout, IReadOnlyList<string>? libraries = null)
    {
        using var scratch = new PrivateDirectory();
        var driver = scratch.File("gdb_driver.py");
        var plan = scratch.File("plan.json");
        var result = scratch.File("result.jsonl");
        var log = scratch.File("gdb.log");
        await File.WriteAllTextAsync(driver, EmbeddedFile.Read("gdb_driver.py")).ConfigureAwait(false);
        var planJson = JsonSerializer.Serialize(new { pid, result, timeout = timeout.TotalSeconds, calls, libraries = libraries ?? [] }, Json);
        await File.WriteAllTextAsync(plan, planJson).ConfigureAwait(false);

        var command = CliWrap.Cli.Wrap("setsid")
            .WithArguments(["sh", "-c", "exec \"$0\" \"$@\" >\"$HOST_GDB_LOG\" 2>&1 </dev/null",
                gdbPath, "-nx", "-nh", "--readnever", "-batch", "-x", driver])
            .WithEnvironmentVariables(env => env
                .Set("HOST_GDB_PLAN", plan)
                .Set("HOST_GDB_LOG", log)
                .Set("PYTHONPATH", null)
                .Set("PYTHONHOME", null))
            .WithValidation(CommandResultValidation.None);
        var running = command.ExecuteAsync();
        var finished = await Task.WhenAny(running.Task, Task.Delay(timeout + Grace)).ConfigureAwait(false);
        var overran = finished != running.Task;
        if (overran)
        {
            Libc.Kill(running.ProcessId, Libc.SIGTERM);
            if (await Task.WhenAny(running.Task, Task.Delay(Grace)).ConfigureAwait(false) != running.Task)
                Libc.Kill(running.ProcessId, Libc.SIGKILL);
        }
        var exit = await running.Task.ConfigureAwait(false);
        ResumeIfLeftStopped(pid);
        var events = new List<GdbEvent>();
        if (File.Exists(result))
        {
            foreach (var line in await File.ReadAllLinesAsync(result).ConfigureAwait(false))
            {
                if (line.Length > 0)
                    events.Add(JsonSerializer.Deserialize<GdbEvent>(line)!);
            }
        }
        var output = File.Exists(log) ? await File.ReadAllTextAsync(log).ConfigureAwait(false) : "";
        return new GdbTranscript(events, exit.ExitCode, output, overran);
    }
}
