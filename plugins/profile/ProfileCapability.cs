using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>`host run profile`: a sampling profiler of a live process, reading its stacks from outside.</summary>
public sealed class ProfileCapability : ICapability
{
    public string Name => "profile";

    public string Description => "Sample every thread's Python stack from outside at a steady rate, then show where the time went";

    public TargetAccess Access => TargetAccess.ReadMemory;

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("rate", $"Samples per second (1 to {ProfileRequest.MaxRate})", OptionKind.Integer) { Alias = "r", DefaultValue = ProfileRequest.DefaultRate.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        new("duration", "Seconds to sample (default: until Ctrl-C)", OptionKind.Text) { Alias = "d" },
        new("format", "text (the top functions), collapsed (for flamegraph.pl and inferno), json, flamegraph (an interactive SVG), speedscope (for speedscope.app) or pprof (gzipped protobuf, for go tool pprof, Pyroscope, Grafana); default: from -o's file name (.svg, .speedscope.json, .pb.gz...), else text", OptionKind.Choice) { Alias = "f", Choices = ProfileWriters.Formats },
        new("idle", "Also count threads asleep in a system call (left out by default)", OptionKind.Flag),
        new("gil", "Only count the thread holding the GIL (not on a free-threaded build)", OptionKind.Flag),
        new("threads", "Keep one profile per thread", OptionKind.Flag),
        new("subprocesses", "Also sample the target's Python subprocesses (and theirs)", OptionKind.Flag),
        new("blocking", "Stop the threads for each sample: consistent stacks, at the cost of a short pause per sample", OptionKind.Flag),
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var request = ProfileRequest.From(context.Arguments);
        var format = ProfileWriters.Choose(request.Format, context.OutputPath);
        context.Progress.Report($"reading process {context.Pid}'s memory");
        using var reader = await context.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var options = new SamplerOptions { StopThreads = request.Blocking };
        using var sampler = reader.OpenSampler(options);
        RequireGil(request, sampler);
        var result = new ProfileResult(reader.Process, request);
        using var sources = new SampleSources(context, sampler, options, request.Subprocesses, result.SubprocessNotes);
        var tally = new StackTally(request.Threads);
        Console.Error.WriteLine(request.Duration is { } duration
            ? $"profile: sampling process {context.Pid} at {request.Rate} Hz for {duration.TotalSeconds:0.###} s; Ctrl-C ends it sooner and writes the profile"
            : $"profile: sampling process {context.Pid} at {request.Rate} Hz; Ctrl-C ends it and writes the profile");
        var run = new SamplingRun(result, sources, (source, thread) => tally.Add(source, thread))
        {
            Every = elapsed => context.Progress.Report(StatusLine(result, elapsed)),
        };
        // Ctrl-C ends the sampling, and the profile is written: it is how a profile without --duration ends.
        await run.RunAsync(cancellationToken).ConfigureAwait(false);
        context.Progress.Report("");
        if (result.Samples == 0 && result.EndedEarly is { } ended)
            throw new CapabilityException(ExitCodes.TargetNotFound, $"{ended} before a sample was taken");
        tally.CopyTo(result.Counts, sources.Named);
        result.ProcessesSampled = sources.Count;
        await SecondInterrupt.WriteAsync(() => ProfileWriters.Write(result, format, context), cancellationToken.IsCancellationRequested).ConfigureAwait(false);
        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var line in Summary.Closing(result))
            Console.Error.WriteLine(line);
        return ExitCodes.Ok;
    }

    private static void RequireGil(ProfileRequest request, IStackSampler sampler)
    {
        if (request.Gil && !sampler.HasGil)
            throw new CapabilityException(ExitCodes.Usage,
                $"--gil: process {sampler.Process.Pid} runs a free-threaded Python ({sampler.Process.PythonVersion}), which has no GIL to hold",
                "leave out --gil: every running thread is sampled");
    }

    private static string StatusLine(ProfileResult result, TimeSpan elapsed)
    {
        var failed = result.FailedTotal;
        var rate = result.Samples / Math.Max(elapsed.TotalSeconds, 0.001);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"profiling process {result.Process.Pid}: {elapsed.TotalSeconds:0.0} s, {result.Samples} samples, {rate:0} Hz, {failed} errors; Ctrl-C ends it and writes the profile");
    }
}
