using System.Diagnostics;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>What a profile run collected, and how the sampling went.</summary>
internal sealed class ProfileResult(TargetProcess process, ProfileRequest request)
{
    public TargetProcess Process { get; } = process;

    public ProfileRequest Request { get; } = request;

    public StackCounts Counts { get; } = new();

    /// <summary>Samples taken (each one a read of every thread).</summary>
    public long Samples { get; set; }


    /// <summary>Ticks of the schedule with no sample: one was still being read when they came.</summary>
    public long Missed { get; set; }

    /// <summary>Thread-stacks of threads asleep in a system call, left out (see --idle).</summary>
    public long IdleLeftOut { get; set; }

    /// <summary>Samples that could not be read, by reason.</summary>
    public Dictionary<string, long> Failed { get; } = new(StringComparer.Ordinal);

    public TimeSpan Elapsed { get; set; }

    /// <summary>Why sampling ended early ("process 123 exited"), or null when it ran its course.</summary>
    public string? EndedEarly { get; set; }

    public double AchievedRate => Elapsed.TotalSeconds > 0 ? Samples / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Reads every thread's stack from outside at a steady rate until the duration is over, Ctrl-C,
/// or the target exits. Ticks are kept on a fixed schedule (a slow sample makes the next ones
/// count as missed, not the rate drift), and nothing runs in the target.
/// </summary>
internal static class Sampler
{
    /// <summary>A sample may fail this many times in a row before the profile gives up with the last error.</summary>
    private const int FailuresInARow = 50;

    public static async Task<ProfileResult> RunAsync(IProcessReader reader, ProfileRequest request, IProgress<string> progress, CancellationToken stop)
    {
        var result = new ProfileResult(reader.Process, request);
        var options = new StackReadOptions { Nonblocking = !request.Blocking };
        var interval = TimeSpan.FromSeconds(1.0 / request.Rate);
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        var inARow = 0;
        var lastReport = TimeSpan.Zero;
        while (!stop.IsCancellationRequested && (request.Duration is not { } duration || clock.Elapsed < duration))
        {
            try
            {
                Count(await reader.ReadStacksAsync(options, CancellationToken.None).ConfigureAwait(false), result);
                result.Samples++;
                inARow = 0;
            }
            catch (CapabilityException error) when (error.ExitCode == ExitCodes.TargetNotFound)
            {
                result.EndedEarly = $"process {reader.Process.Pid} exited";
                break;
            }
            catch (CapabilityException error) when (result.Samples > 0 && ++inARow < FailuresInARow)
            {
                // A stack torn while the thread ran (--blocking avoids it): counted, and sampling goes on.
                result.Failed[error.Message] = result.Failed.GetValueOrDefault(error.Message) + 1;
            }
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(0.5))
            {
                lastReport = clock.Elapsed;
                progress.Report(Status(result, clock.Elapsed));
            }
            next += interval;
            var now = clock.Elapsed;
            if (next < now)
            {
                // Behind: the ticks that passed during this sample are missed, and the schedule starts again from now.
                next = now;
                continue;
            }
            try
            {
                await Task.Delay(next - now, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        result.Elapsed = clock.Elapsed;
        result.Missed = Math.Max(0, (long)(result.Elapsed.TotalSeconds * request.Rate) - result.Samples - result.Failed.Values.Sum());
        progress.Report("");
        return result;
    }

    private static string Status(ProfileResult result, TimeSpan elapsed)
    {
        var failed = result.Failed.Values.Sum();
        return $"profiling process {result.Process.Pid}: {elapsed.TotalSeconds:0.0} s, {result.Samples} samples ({result.Samples / Math.Max(elapsed.TotalSeconds, 0.001):0} Hz){(failed > 0 ? $", {failed} failed" : "")}; Ctrl-C ends it";
    }

    private static void Count(PythonStacks stacks, ProfileResult result)
    {
        foreach (var thread in stacks.Threads)
        {
            if (thread.Frames.Count == 0)
                continue;
            if (thread.State == ThreadStates.Idle && !result.Request.Idle)
            {
                result.IdleLeftOut++;
                continue;
            }
            var frames = new ProfileFrame[thread.Frames.Count];
            for (var i = 0; i < frames.Length; i++)
                frames[i] = new ProfileFrame(thread.Frames[i].Function, thread.Frames[i].File, thread.Frames[i].Line);
            result.Counts.Add(frames);
        }
    }
}
