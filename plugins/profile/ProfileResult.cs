using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>What a profile run collected, and how the sampling went.</summary>
internal sealed class ProfileResult(TargetProcess process, ProfileRequest request)
{
    public TargetProcess Process { get; } = process;

    public ProfileRequest Request { get; } = request;

    public StackCounts Counts { get; } = new();

    /// <summary>Samples taken (each one a read of every thread of every process followed).</summary>
    public long Samples { get; set; }

    /// <summary>Ticks of the schedule with no sample: one was still being read when they came.</summary>
    public long Missed { get; set; }

    /// <summary>Thread-stacks of threads asleep in a system call, left out (see --idle).</summary>
    public long IdleLeftOut { get; set; }

    /// <summary>Thread-stacks of threads that did not hold the GIL, left out (--gil).</summary>
    public long GilLeftOut { get; set; }

    /// <summary>Thread-stacks that could not be read, by reason.</summary>
    public Dictionary<string, long> Failed { get; } = new(StringComparer.Ordinal);

    /// <summary>Thread-stacks read in all, counted or not: what <see cref="Failed"/> is a share of.</summary>
    public long ThreadStacksRead { get; set; }

    /// <summary>The subprocesses followed (--subprocesses), and why some could not be.</summary>
    public List<string> SubprocessNotes { get; } = [];

    /// <summary>Processes sampled: the target, and with --subprocesses its Python descendants.</summary>
    public int ProcessesSampled { get; set; } = 1;

    public TimeSpan Elapsed { get; set; }

    /// <summary>Why sampling ended early ("process 123 exited"), or null when it ran its course.</summary>
    public string? EndedEarly { get; set; }

    public double AchievedRate => Elapsed.TotalSeconds > 0 ? Samples / Elapsed.TotalSeconds : 0;

    public long FailedTotal => Failed.Values.Sum();

    public void Fail(string reason, long count = 1) => Failed[reason] = Failed.GetValueOrDefault(reason) + count;
}
