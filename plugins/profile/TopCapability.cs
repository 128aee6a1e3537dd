using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>
/// `host run top`: the live view. Samples as `profile` does and, every second, shows the functions
/// by own and total share of that second, with the sampling rate, the threads and the GIL's holder.
/// On a terminal the table is redrawn in place and q or Ctrl-C quits; elsewhere one table is
/// printed per second until Ctrl-C or --duration.
/// </summary>
public sealed class TopCapability : ICapability
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    public string Name => "top";

    public string Description => "A live view of where a process's Python threads spend their time, refreshed every second (q quits)";

    public TargetAccess Access => TargetAccess.ReadMemory;

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("rate", $"Samples per second (1 to {ProfileRequest.MaxRate})", OptionKind.Integer) { Alias = "r", DefaultValue = ProfileRequest.DefaultRate.ToString(CultureInfo.InvariantCulture) },
        new("duration", "Seconds to run (default: until q or Ctrl-C)", OptionKind.Text) { Alias = "d" },
        new("idle", "Also count threads asleep in a system call (left out by default)", OptionKind.Flag),
        new("gil", "Only count the thread holding the GIL (not on a free-threaded build)", OptionKind.Flag),
        new("subprocesses", "Also sample the target's Python subprocesses (and theirs)", OptionKind.Flag),
        new("blocking", "Stop the threads for each sample: consistent stacks, at the cost of a short pause per sample", OptionKind.Flag),
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var request = ProfileRequest.From(context.Arguments, top: true);
        context.Progress.Report($"reading process {context.Pid}'s memory");
        using var reader = await context.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var options = new SamplerOptions { StopThreads = request.Blocking };
        using var sampler = reader.OpenSampler(options);
        if (request.Gil && !sampler.HasGil)
            throw new CapabilityException(ExitCodes.Usage, $"--gil: process {context.Pid} runs a free-threaded Python ({sampler.Process.PythonVersion}), which has no GIL to hold");
        context.Progress.Report("");
        var result = new ProfileResult(reader.Process, request);
        using var sources = new SampleSources(context, sampler, options, request.Subprocesses, result.SubprocessNotes);
        var window = new FunctionWindow(sources);
        var threads = new TopThreads(sampler.HasGil);
        var terminal = !Console.IsOutputRedirected && context.OutputPath is null;
        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (terminal && !Console.IsInputRedirected)
            QuitKey.Watch(quit);
        (string Header, List<TopRow> Rows)? last = null;
        var samplesBefore = 0L;
        var shownAt = TimeSpan.Zero;
        using (var screen = new TopScreen(context.Output, terminal))
        {
            var run = new SamplingRun(result, sources, window.Add)
            {
                EveryInterval = Refresh,
                OnSample = (source, sample) =>
                {
                    if (source == 0)
                        threads.Add(sample);
                },
                Every = elapsed =>
                {
                    var rate = (result.Samples - samplesBefore) / Math.Max((elapsed - shownAt).TotalSeconds, 0.001);
                    (samplesBefore, shownAt) = (result.Samples, elapsed);
                    var state = State(request, rate, elapsed, threads.Close(), result);
                    last = (state, window.Close(rate));
                    var title = terminal ? $"host top: {Target(reader.Process)} (q or Ctrl-C quits)" : $"--- {DateTime.Now:HH:mm:ss} {Target(reader.Process)}";
                    screen.Show([title, state], last.Value.Rows);
                },
            };
            await run.RunAsync(quit.Token).ConfigureAwait(false);
        }
        if (terminal && last is { } final)
        {
            // The alternate screen is gone with the table on it: the last one stays on the shell's.
            new TopScreen(context.Output, terminal: false).Show([$"host top: {Target(reader.Process)}", final.Header], final.Rows);
        }
        if (result.EndedEarly is { } ended)
            Console.Error.WriteLine($"top: {ended}");
        return ExitCodes.Ok;
    }

    private static string Target(TargetProcess process) => $"process {process.Pid}, Python {process.PythonVersion}";

    /// <summary>"100 Hz (100 asked), 3 s; 3 threads, 1 busy; GIL: worker 97%": how the last interval's sampling went.</summary>
    private static string State(ProfileRequest request, double rate, TimeSpan elapsed, string threads, ProfileResult result)
    {
        var failed = result.FailedTotal;
        return string.Create(CultureInfo.InvariantCulture,
            $"{rate:0} Hz ({request.Rate} asked), {elapsed.TotalSeconds:0} s; {threads}{(failed > 0 ? $"; {failed} failed" : "")}");
    }
}
