using System.Diagnostics;
using System.Text.Json;
using Host.Abstractions;
using Host.Reading.Sampling;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// target:sample(options): a short sampling profile, as `profile` takes it, handed to the recipe as
/// stacks and their counts so that it can make its own view. Sampled on the recipe's own thread (a
/// blocking sample's stopped threads belong to the thread that stopped them), until the seconds are
/// up or the recipe is stopped, when what was collected is returned.
/// </summary>
internal sealed class SampleFunctions(RecipeHost host, RecipeHandles handles, JsonFunctions json)
{
    private const string Name = "sample";
    private const double MaxSeconds = 3600;
    private const int MaxRate = 20_000;

    private sealed record Options(double Seconds, int Rate, bool Idle, bool Gil, bool Blocking);

    /// <summary>sample(target, {seconds, rate, idle, gil, blocking}): {samples, seconds, rate, failed, idle_left_out, stacks = {{count, thread, thread_name, frames}}}.</summary>
    public int Sample(KeraLua.Lua lua)
    {
        var target = handles.Target(LuaArguments.Integer(lua, 1, Name));
        var options = Read(lua);
        using var sampler = new StackSampler(target.Process, new SamplerOptions { StopThreads = options.Blocking });
        if (options.Gil && !sampler.HasGil)
            throw new RecipeApiException($"sample: gil = true, but process {target.Process.Pid} runs a free-threaded Python, which has no GIL");
        host.Progress.Report($"sampling process {target.Process.Pid} for {options.Seconds:0.###} s at {options.Rate} Hz");
        var counts = new Dictionary<(long Thread, string Frames), (int[] Ids, long Count)>();
        var names = new Dictionary<long, string?>();
        long samples = 0, failed = 0, idle = 0;
        var clock = Stopwatch.StartNew();
        var interval = 1.0 / options.Rate;
        for (var tick = 0L; clock.Elapsed.TotalSeconds < options.Seconds && !host.Stop.IsCancellationRequested; tick++)
        {
            StackSample sample;
            try
            {
                sample = sampler.Sample();
            }
            catch (CapabilityException error) when (error.ExitCode == ExitCodes.TargetNotFound && samples > 0)
            {
                break; // the target exited: what was collected is the answer
            }
            samples++;
            foreach (var thread in sample.Threads)
            {
                if (thread.Failure is not null)
                    failed++;
                else if (thread.Frames.Length == 0 || options.Gil && thread.HoldsGil != true)
                    continue;
                else if (!options.Idle && thread.State == ThreadStates.Idle)
                    idle++;
                else
                {
                    var key = (thread.Ident, string.Join(',', thread.Frames));
                    counts[key] = (thread.Frames, counts.GetValueOrDefault(key).Count + 1);
                    names[thread.Ident] = thread.Name ?? names.GetValueOrDefault(thread.Ident);
                }
            }
            var wait = (tick + 1) * interval - clock.Elapsed.TotalSeconds;
            if (wait > 0)
                host.Stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(wait));
        }
        var seconds = clock.Elapsed.TotalSeconds;
        host.Progress.Report("");
        using var document = JsonDocument.Parse(Result(sampler, counts, names, samples, seconds, failed, idle));
        json.Json.Push(lua, document.RootElement);
        return 1;
    }

    private static byte[] Result(StackSampler sampler, Dictionary<(long Thread, string Frames), (int[] Ids, long Count)> counts, Dictionary<long, string?> names, long samples, double seconds, long failed, long idle)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("samples", samples);
            writer.WriteNumber("seconds", Math.Round(seconds, 3));
            writer.WriteNumber("rate", seconds > 0 ? Math.Round(samples / seconds, 1) : 0);
            writer.WriteNumber("failed", failed);
            writer.WriteNumber("idle_left_out", idle);
            writer.WriteStartArray("stacks");
            foreach (var ((thread, _), (ids, count)) in counts.OrderByDescending(c => c.Value.Count))
            {
                writer.WriteStartObject();
                writer.WriteNumber("count", count);
                writer.WriteNumber("thread", thread);
                if (names.GetValueOrDefault(thread) is { } name)
                    writer.WriteString("thread_name", name);
                writer.WriteStartArray("frames");
                foreach (var id in ids)
                {
                    var frame = sampler.Frame(id);
                    writer.WriteStartObject();
                    writer.WriteString("function", frame.Function);
                    writer.WriteString("file", frame.File);
                    if (frame.Line is { } line)
                        writer.WriteNumber("line", line);
                    writer.WriteNumber("first_line", frame.FirstLine);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static Options Read(KeraLua.Lua lua)
    {
        var table = lua.GetTop() >= 2 && lua.Type(2) == LuaType.Table;
        if (lua.GetTop() >= 2 && !table && lua.Type(2) != LuaType.Nil)
            throw new RecipeApiException("sample: expected a table of options, such as {seconds = 2, rate = 200}");
        var seconds = table ? Number(lua, "seconds", 1) : 1;
        var rate = table ? Number(lua, "rate", 100) : 100;
        if (!(seconds > 0 && seconds <= MaxSeconds))
            throw new RecipeApiException($"sample: seconds must be more than 0 and at most {MaxSeconds}, not {seconds}");
        if (!(rate >= 1 && rate <= MaxRate) || rate != Math.Floor(rate))
            throw new RecipeApiException($"sample: rate must be a whole number of samples per second from 1 to {MaxRate}, not {rate}");
        return new Options(seconds, (int)rate, table && Flag(lua, "idle"), table && Flag(lua, "gil"), table && Flag(lua, "blocking"));
    }

    private static double Number(KeraLua.Lua lua, string field, double fallback)
    {
        lua.GetField(2, field);
        try
        {
            return lua.Type(-1) switch
            {
                LuaType.Nil => fallback,
                LuaType.Number => lua.ToNumber(-1),
                _ => throw new RecipeApiException($"sample: {field} must be a number, not {lua.TypeName(lua.Type(-1))}"),
            };
        }
        finally
        {
            lua.Pop(1);
        }
    }

    private static bool Flag(KeraLua.Lua lua, string field)
    {
        lua.GetField(2, field);
        var value = lua.ToBoolean(-1);
        lua.Pop(1);
        return value;
    }
}
