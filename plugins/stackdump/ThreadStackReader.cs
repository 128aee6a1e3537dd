using System.Text.Json;
using Host.Abstractions;

namespace Host.Plugins.Stackdump;

/// <summary>
/// One "thread" message into a <see cref="PythonThread"/>, read field by field: the serializer's
/// first use (even source-generated) costs ~10 ms of start-up, a fifth of a whole dump.
/// </summary>
internal static class ThreadStackReader
{
    public static PythonThread Read(JsonElement thread)
    {
        var frames = new List<PythonFrame>();
        foreach (var frame in thread.GetProperty("frames").EnumerateArray())
            frames.Add(ReadFrame(frame));
        return new PythonThread(
            thread.GetProperty("ident").GetInt64(),
            Number(thread, "native_id"),
            Text(thread, "name"),
            Flag(thread, "daemon"),
            Flag(thread, "main") ?? false,
            frames);
    }

    private static PythonFrame ReadFrame(JsonElement frame)
    {
        List<IReadOnlyList<string>>? locals = null;
        if (frame.TryGetProperty("locals", out var pairs) && pairs.ValueKind == JsonValueKind.Array)
        {
            locals = [];
            foreach (var pair in pairs.EnumerateArray())
                locals.Add(pair.EnumerateArray().Select(item => item.GetString() ?? "").ToList());
        }
        return new PythonFrame(Text(frame, "file") ?? "?", (int?)Number(frame, "line"), Text(frame, "function") ?? "?", Text(frame, "source"), locals);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static bool? Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
