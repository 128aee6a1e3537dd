using System.Globalization;
using System.Text.Json;

namespace Host.Plugins.Profile;

/// <summary>The formats a profile is written in.</summary>
internal static class ProfileWriters
{
    public static readonly string[] Formats = ["text", "collapsed", "json"];

    public static void Write(ProfileResult result, string format, TextWriter output)
    {
        switch (format)
        {
            case "collapsed":
                Collapsed(result, output);
                break;
            case "json":
                Json(result, output);
                break;
            default:
                TopFunctions.Write(result, output);
                break;
        }
    }

    /// <summary>
    /// One "frame;frame;frame count" line per distinct stack, outermost first, as flamegraph.pl and
    /// inferno read it; a frame is "function (file:line)", as py-spy writes it.
    /// </summary>
    private static void Collapsed(ProfileResult result, TextWriter output)
    {
        foreach (var stack in result.Counts.Stacks.OrderByDescending(s => s.Count))
        {
            output.Write(string.Join(';', stack.Frames.Select(Label)));
            output.Write(' ');
            output.WriteLine(stack.Count.ToString(CultureInfo.InvariantCulture));
        }
    }

    // ';' separates frames and a space the count: neither may appear inside a frame's text.
    private static string Label(SampledFrame frame) =>
        $"{frame.Function} ({frame.File}:{frame.Line?.ToString(CultureInfo.InvariantCulture) ?? "?"})".Replace(';', ',');

    private static void Json(ProfileResult result, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
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
            json.WriteNumber("idle_left_out", result.IdleLeftOut);
            json.WriteStartObject("failed");
            foreach (var (reason, count) in result.Failed)
                json.WriteNumber(reason, count);
            json.WriteEndObject();
            if (result.EndedEarly is { } ended)
                json.WriteString("ended_early", ended);
            json.WriteStartArray("stacks");
            foreach (var stack in result.Counts.Stacks.OrderByDescending(s => s.Count))
            {
                json.WriteStartObject();
                json.WriteNumber("count", stack.Count);
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
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
