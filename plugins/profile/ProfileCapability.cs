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
        new("format", "text (the top functions), collapsed (for flamegraph.pl and inferno), json, speedscope (for speedscope.app) or pprof (gzipped protobuf, for go tool pprof, Pyroscope, Grafana); default: from -o's file name, else text", OptionKind.Choice) { Alias = "f", Choices = ProfileWriters.Formats },
        new("idle", "Also count threads asleep in a system call (left out by default)", OptionKind.Flag),
        new("blocking", "Stop the threads for each sample: consistent stacks, at the cost of a short pause per sample", OptionKind.Flag),
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var request = ProfileRequest.From(context.Arguments);
        context.Progress.Report($"reading process {context.Pid}'s memory");
        using var reader = await context.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine(request.Duration is { } duration
            ? $"profile: sampling process {context.Pid} at {request.Rate} Hz for {duration.TotalSeconds:0.###} s; Ctrl-C ends it sooner and writes the profile"
            : $"profile: sampling process {context.Pid} at {request.Rate} Hz; Ctrl-C ends it and writes the profile");
        // Ctrl-C ends the sampling, and the profile is written: it is how a profile without --duration ends.
        var result = await Sampler.RunAsync(reader, request, context.Progress, cancellationToken).ConfigureAwait(false);
        if (result.Samples == 0 && result.EndedEarly is { } ended)
            throw new CapabilityException(ExitCodes.TargetNotFound, $"{ended} before a sample was taken");
        ProfileWriters.Write(result, ProfileWriters.Choose(request.Format, context.OutputPath), context);
        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var line in Summary.Closing(result))
            Console.Error.WriteLine(line);
        return ExitCodes.Ok;
    }
}
