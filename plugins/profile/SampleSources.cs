using System.Globalization;
using Host.Abstractions;

namespace Host.Plugins.Profile;

/// <summary>
/// The processes a profile samples: the target, and with --subprocesses each Python process that
/// descends from it, found by a scan of /proc at most once a second. A source keeps its index for
/// the whole run (stacks are counted by it); one that exits or can no longer be read is dropped,
/// with a note of why. A descendant that is not Python is tried again only if it execs anew.
/// </summary>
internal sealed class SampleSources : IDisposable
{
    private static readonly TimeSpan ScanEvery = TimeSpan.FromSeconds(1);
    private readonly ICapabilityContext _context;
    private readonly SamplerOptions _options;
    private readonly List<Source> _sources = [];
    private readonly HashSet<(int Pid, long Start, string Exe)> _tried = [];
    private readonly List<string> _notes;
    private TimeSpan _scannedAt = TimeSpan.FromDays(-1);

    private sealed class Source(IStackSampler sampler, IProcessReader? reader, ProfileProcess? process)
    {
        public IStackSampler Sampler { get; } = sampler;
        public IProcessReader? Reader { get; } = reader;
        public ProfileProcess? Process { get; } = process;
        public bool Alive { get; set; } = true;
        public int FailuresInARow { get; set; }
    }

    public SampleSources(ICapabilityContext context, IStackSampler target, SamplerOptions options, bool follow, List<string> notes)
    {
        _context = context;
        _options = options;
        _notes = notes;
        Follow = follow;
        _sources.Add(new Source(target, null, follow ? Label(target.Process.Pid) : null));
    }

    public bool Follow { get; }

    public int Count => _sources.Count;

    /// <summary>Each source's sampler and process, by index, live or not: what the tally names its stacks through.</summary>
    public IReadOnlyList<(IStackSampler Sampler, ProfileProcess? Process)> Named => _sources.ConvertAll(s => (s.Sampler, s.Process));

    public bool IsAlive(int index) => _sources[index].Alive;

    public IStackSampler Sampler(int index) => _sources[index].Sampler;

    /// <summary>Counts a failed sample of a source; how many failed in a row (one that keeps failing is given up).</summary>
    public int Failed(int index) => ++_sources[index].FailuresInARow;

    public void Succeeded(int index) => _sources[index].FailuresInARow = 0;

    /// <summary>Drops a subprocess that exited or can no longer be read, and says why.</summary>
    public void Drop(int index, string why)
    {
        _sources[index].Alive = false;
        _notes.Add($"process {_sources[index].Sampler.Process.Pid}: {why}");
    }

    /// <summary>With --subprocesses: looks for descendants not sampled yet, at most once a <see cref="ScanEvery"/>.</summary>
    public void Scan(TimeSpan now)
    {
        if (!Follow || now - _scannedAt < ScanEvery)
            return;
        _scannedAt = now;
        var root = _sources[0].Sampler.Process.Pid;
        var sampled = _sources.Where(s => s.Alive).Select(s => s.Sampler.Process.Pid).ToHashSet();
        foreach (var pid in Descendants(root))
        {
            if (sampled.Contains(pid) || Identity(pid) is not { } identity || !_tried.Add(identity))
                continue;
            try
            {
                var reader = _context.OpenDescendantReaderAsync(pid, CancellationToken.None).GetAwaiter().GetResult();
                try
                {
                    _sources.Add(new Source(reader.OpenSampler(_options), reader, Label(pid)));
                    _notes.Add($"process {pid}: followed from {now.TotalSeconds:0.0} s ({Command(pid)})");
                }
                catch
                {
                    reader.Dispose();
                    throw;
                }
            }
            catch (CapabilityException)
            {
                // Not Python (a shell, a compiler), or gone already: a new exec gives it a new identity to try.
            }
        }
    }

    /// <summary>Every process whose chain of parents reaches <paramref name="root"/>, from one pass over /proc.</summary>
    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Stat(pid) is not { } stat)
                continue;
            if (!children.TryGetValue(stat.Parent, out var list))
                children[stat.Parent] = list = [];
            list.Add(pid);
        }
        var found = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.Count > 0 && found.Count < 4096)
        {
            if (!children.TryGetValue(pending.Dequeue(), out var list))
                continue;
            foreach (var child in list)
            {
                found.Add(child);
                pending.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>A process as it is now: a pid reused, or a process that exec'd, is another identity.</summary>
    private static (int, long, string)? Identity(int pid)
    {
        if (Stat(pid) is not { } stat)
            return null;
        string exe;
        try
        {
            exe = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            exe = "";
        }
        return (pid, stat.Start, exe);
    }

    /// <summary>The parent and start time fields of /proc/PID/stat (after the command name, which may hold spaces and parentheses).</summary>
    private static (int Parent, long Start)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is the state (field 3): the parent is field 4, the start time field 22.
        return fields.Length > 19 && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent) && long.TryParse(fields[19], CultureInfo.InvariantCulture, out var start)
            ? (parent, start)
            : null;
    }

    private static ProfileProcess Label(int pid) => new(pid, Command(pid));

    private static string Command(int pid)
    {
        string command;
        try
        {
            command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            command = "";
        }
        return command.Length > 60 ? command[..57] + "..." : command;
    }

    public void Dispose()
    {
        // The target's sampler and reader belong to the caller.
        foreach (var source in _sources.Skip(1))
        {
            source.Sampler.Dispose();
            source.Reader?.Dispose();
        }
    }
}
