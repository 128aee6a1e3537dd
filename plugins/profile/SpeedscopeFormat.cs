using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Host.Plugins.Profile;

/// <summary>
/// speedscope's own file format (https://www.speedscope.app/file-format-schema.json): the frames
/// shared by every profile, and one "sampled" profile per thread (per process and thread when
/// the stacks carry them; else one for the whole process) whose samples are stacks of frame
/// indices, outermost first, each weighed by how many thread-stacks it stands for.
/// </summary>
internal sealed class SpeedscopeFormat : ProfileFormat
{
    public const string Schema = "https://www.speedscope.app/file-format-schema.json";

    public override string Name => "speedscope";

    public override IReadOnlyList<string> Extensions => [".speedscope.json", ".speedscope"];

    public override void Write(ProfileResult result, Stream output)
    {
        var frames = new FrameTable();
        var profiles = Profiles(result, frames);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("$schema", Schema);
            json.WriteString("name", string.Create(CultureInfo.InvariantCulture, $"process {result.Process.Pid} python {result.Process.PythonVersion}"));
            json.WriteString("exporter", Exporter);
            // The profile with the most samples opens first: the thread where the time went.
            json.WriteNumber("activeProfileIndex", profiles.Select((p, i) => (p.Weight, i)).MaxBy(p => p.Weight).i);
            json.WriteStartObject("shared");
            json.WriteStartArray("frames");
            foreach (var frame in frames.Frames)
            {
                json.WriteStartObject();
                json.WriteString("name", frame.Function);
                json.WriteString("file", frame.File);
                if (frame.FirstLine is { } line)
                    json.WriteNumber("line", line);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("profiles");
            foreach (var profile in profiles)
                profile.Write(json);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
    }

    /// <summary>"host 0.1.0": the tool that wrote the file, as speedscope shows it.</summary>
    private static string Exporter =>
        "host " + (typeof(SpeedscopeFormat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                   ?? typeof(SpeedscopeFormat).Assembly.GetName().Version?.ToString() ?? "");

    /// <summary>The stacks grouped into one profile per (process, thread), ordered by process, then by weight.</summary>
    private static List<SampledProfile> Profiles(ProfileResult result, FrameTable frames)
    {
        var byKey = new Dictionary<(int? Pid, long? Thread), SampledProfile>();
        foreach (var stack in result.Counts.Stacks)
        {
            var key = (stack.Process?.Pid, stack.Thread?.Ident);
            if (!byKey.TryGetValue(key, out var profile))
                byKey[key] = profile = new SampledProfile(ProfileName(result, stack), stack.Process?.Pid ?? 0);
            profile.Add([.. stack.Frames.Select(frames.IndexOf)], stack.Count);
        }
        if (byKey.Count == 0)
        {
            // Nothing was sampled (every thread idle): an empty profile still opens, and says so.
            return [new SampledProfile(ProfileName(result, null), 0)];
        }
        return [.. byKey.Values.OrderBy(p => p.Pid).ThenByDescending(p => p.Weight)];
    }

    private static string ProfileName(ProfileResult result, CountedStack? stack) => (stack?.Process, stack?.Thread) switch
    {
        ({ } process, { } thread) => $"{process.Label} {thread.Label}",
        ({ } process, null) => process.Label,
        (null, { } thread) => thread.Label,
        _ => $"process {result.Process.Pid} ({result.Process.CommandLine})",
    };

    /// <summary>
    /// speedscope's frames are functions: a frame's line is left out, so stacks that differ only in
    /// their lines are one stack here. A function is its name, file and first line.
    /// </summary>
    private sealed class FrameTable
    {
        private readonly Dictionary<(string Function, string File, int? FirstLine), int> _indices = [];

        public List<ProfileFrame> Frames { get; } = [];

        public int IndexOf(ProfileFrame frame)
        {
            var key = (frame.Function, frame.File, frame.FirstLine);
            if (!_indices.TryGetValue(key, out var index))
            {
                _indices[key] = index = Frames.Count;
                Frames.Add(frame);
            }
            return index;
        }
    }

    /// <summary>One "sampled" profile: each distinct stack of frame indices once, with its weight.</summary>
    private sealed class SampledProfile(string name, int pid)
    {
        private readonly Dictionary<string, (int[] Stack, long Weight)> _samples = new(StringComparer.Ordinal);

        public int Pid { get; } = pid;

        public long Weight { get; private set; }

        public void Add(int[] stack, long weight)
        {
            var key = string.Join(',', stack);
            _samples[key] = (stack, (_samples.TryGetValue(key, out var known) ? known.Weight : 0) + weight);
            Weight += weight;
        }

        public void Write(Utf8JsonWriter json)
        {
            // The samples are counted, not timed: put in order of their frames, stacks that share
            // callers sit side by side, and speedscope's time-ordered view reads as a flame graph.
            var samples = _samples.Values.OrderBy(s => s.Stack, StackOrder.Instance).ToList();
            json.WriteStartObject();
            json.WriteString("type", "sampled");
            json.WriteString("name", name);
            // A weight is a count of thread-stacks: at a steady rate, time in units of the sampling interval.
            json.WriteString("unit", "none");
            json.WriteNumber("startValue", 0);
            json.WriteNumber("endValue", Weight);
            json.WriteStartArray("samples");
            foreach (var (stack, _) in samples)
            {
                json.WriteStartArray();
                foreach (var index in stack)
                    json.WriteNumberValue(index);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray("weights");
            foreach (var (_, weight) in samples)
                json.WriteNumberValue(weight);
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    /// <summary>Frame-index stacks compared element by element, a caller before its callees.</summary>
    private sealed class StackOrder : IComparer<int[]>
    {
        public static readonly StackOrder Instance = new();

        public int Compare(int[]? x, int[]? y)
        {
            for (var i = 0; i < Math.Min(x!.Length, y!.Length); i++)
            {
                if (x[i] != y[i])
                    return x[i].CompareTo(y[i]);
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
