using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>
/// --method auto: read the target from outside first, which takes milliseconds and cannot harm
/// it, and inject only where injecting can work. Injecting starts an agent thread that must take
/// the GIL; where a thread holds the GIL and does not let it go (a long call into C, a deadlock
/// with the GIL held), that agent would wait for it, and so would the user. So the read decides:
/// a thread that holds the GIL at the same line in two reads <see cref="HoldWindow"/> apart keeps
/// the read; a process that is stopped or traced keeps it too (injecting refuses those).
/// </summary>
internal static class MethodChoice
{
    /// <summary>Ten switch intervals: a thread running Python code is asked to drop the GIL every 5 ms when another wants it.</summary>
    private static readonly TimeSpan HoldWindow = TimeSpan.FromMilliseconds(50);

    public delegate Task<PythonStacks> Injection(ICapabilityContext context, string reason, CancellationToken cancellationToken);

    public static async Task<PythonStacks> AutoAsync(ICapabilityContext context, StackReadOptions options, Injection inject, CancellationToken cancellationToken)
    {
        PythonStacks read;
        try
        {
            read = await StackdumpCapability.ReadAsync(context, options, "", cancellationToken).ConfigureAwait(false);
        }
        catch (CapabilityException error) when (error.ExitCode == ExitCodes.Unsupported)
        {
            return await inject(context, $"it cannot be read from outside: {error.Message}", cancellationToken).ConfigureAwait(false);
        }
        if (read.Threads.Count > 0 && read.Threads.All(t => t.State == ThreadStates.Stopped))
            return read with { Reason = "the process is stopped: injecting needs it running" };
        // With a GIL, its holder is the thread an agent would wait for; without one (free-threaded), the
        // agent still waits for every running thread to reach a safe point, so any of them counts.
        var hasGil = read.Threads.Any(t => t.HoldsGil is not null);
        var blockers = read.Threads.Where(t => hasGil ? t.HoldsGil == true : t.State == ThreadStates.Running).ToList();
        if (blockers.Count > 0)
        {
            await Task.Delay(HoldWindow, cancellationToken).ConfigureAwait(false);
            var again = await StackdumpCapability.ReadAsync(context, options with { Locals = false, Nonblocking = true }, "", cancellationToken).ConfigureAwait(false);
            foreach (var blocker in blockers)
            {
                var later = again.Threads.FirstOrDefault(t => t.Ident == blocker.Ident);
                if (later is not null && (hasGil ? later.HoldsGil == true : later.State == ThreadStates.Running) && SameSpot(blocker, later))
                    return read with
                    {
                        Reason = hasGil
                            ? $"thread {blocker.Ident} holds the GIL and kept it for {HoldWindow.TotalMilliseconds:0} ms at the same line: an injected agent would wait for it"
                            : $"thread {blocker.Ident} ran at the same line for {HoldWindow.TotalMilliseconds:0} ms: an injected agent would wait for it to reach a safe point",
                    };
            }
        }
        try
        {
            return await inject(context, "the GIL was free to take, and injecting gives full reprs", cancellationToken).ConfigureAwait(false);
        }
        catch (CapabilityException error) when (error.ExitCode is ExitCodes.PermissionDenied or ExitCodes.TargetNotFound or ExitCodes.Timeout && Alive(context))
        {
            // Traced by another debugger, stopped meanwhile, or the GIL was taken for good after all.
            return read with { Reason = $"injecting was not possible ({error.Message})" };
        }
    }

    private static bool SameSpot(PythonThread first, PythonThread second) =>
        first.Frames.Count == second.Frames.Count && first.Frames.Count > 0
        && first.Frames[^1].File == second.Frames[^1].File && first.Frames[^1].Line == second.Frames[^1].Line;

    private static bool Alive(ICapabilityContext context) => Directory.Exists($"/proc/{context.Pid}");
}
