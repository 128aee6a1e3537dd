using System.Text.Json;

namespace Host.Plugins.Profile;

/// <summary>The whole profile as JSON: how the sampling went, and every distinct stack with its count.</summary>
internal sealed class JsonFormat : ProfileFormat
{
    public override string Name => "json";

    public override IReadOnlyList<string> Extensions => [".json"];

    public override void Write(ProfileResult result, Stream output)
    {
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", result.Process.Pid);
            json.WriteString("python", result.Process.PythonVersion);
            json.WriteNumber("rate_asked", result.Request.Rate);
            json.WriteNumber("rate", Math.Round(result.AchievedRate, 1));
            json.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            json.WriteBoolean("threads_stopped", result.Request.Blocking);
            json.WriteNumber("samples", result.Samples);
            json.WriteNumber("missed", result.Missed);
            json.WriteNumber("thread_stacks", result.Counts.Total);
            json.WriteNumber("thread_stacks_read", result.ThreadStacksRead);
            json.WriteNumber("idle_left_out", result.IdleLeftOut);
            json.WriteNumber("gil_left_out", result.GilLeftOut);
            json.WriteNumber("processes", result.ProcessesSampled);
            json.WriteStartObject("failed");
            foreach (var (reason, count) in result.Failed)
                json.WriteNumber(reason, count);
            json.WriteEndObject();
            if (result.EndedEarly is { } ended)
                json.WriteString("ended_early", ended);
            json.WriteStartArray("stacks");
            foreach (var stack in result.Counts.Stacks.OrderByDescending(s => s.Count))
                Stack(json, stack);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
    }

    private static void Stack(Utf8JsonWriter json, CountedStack stack)
    {
        json.WriteStartObject();
        json.WriteNumber("count", stack.Count);
        if (stack.Process is { } process)
            json.WriteNumber("pid", process.Pid);
        if (stack.Thread is { } thread)
        {
            json.WriteNumber("thread", thread.Ident);
            if (thread.Name is { } name)
                json.WriteString("thread_name", name);
        }
        json.WriteStartArray("frames");
        foreach (var frame in stack.Frames)
        {
            json.WriteStartObject();
            json.WriteString("function", frame.Function);
            json.WriteString("file", frame.File);
            if (frame.Line is { } line)
                json.WriteNumber("line", line);
            else
                json.WriteNull("line");
            if (frame.FirstLine is { } first)
                json.WriteNumber("first_line", first);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
